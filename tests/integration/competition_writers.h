// Clients that create competitions as fast as the server takes them (or at a set pace), each on a
// thread of its own, until stopped: the load under which the kill -9 tests crash the server.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"

namespace tt::testing {

class CompetitionWriters {
 public:
  // Starts `count` writers on `port`, signed in with `token`. Each names its meets
  // "<label> <writer>.<n>" and waits `pause` between requests.
  CompetitionWriters(uint16_t port, std::string token, int count, std::string label,
                     std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
    for (int w = 0; w < count; ++w) {
      writers_.emplace_back([this, port, token, label, pause, w] {
        HttpClient writer(port);
        for (int i = 0; !stop_; ++i) {
          try {
            const boost::json::object meet{
                {"name", label + " " + std::to_string(w) + "." + std::to_string(i)},
                {"location", "Hayward Field, Eugene"},
                {"start_date", "2027-05-01"},
                {"end_date", "2027-05-02"}};
            HttpResponse created = writer.Post("/competitions", meet, token);
            if (created.status == 201) {
              std::lock_guard lock(mutex_);
              acknowledged_.emplace_back(created.Json().at("id").as_string());
            }
          } catch (const std::exception&) {
            // The server died mid-request: that write was never acknowledged.
          }
          if (pause.count() > 0) std::this_thread::sleep_for(pause);
        }
      });
    }
  }
  CompetitionWriters(const CompetitionWriters&) = delete;
  CompetitionWriters& operator=(const CompetitionWriters&) = delete;
  ~CompetitionWriters() { Stop(); }

  // How many creations the server has answered 201 so far.
  size_t AcknowledgedCount() const {
    std::lock_guard lock(mutex_);
    return acknowledged_.size();
  }

  // Stops the writers and waits for them; answers the ids of every acknowledged creation.
  std::vector<std::string> Stop() {
    stop_ = true;
    for (std::thread& writer : writers_) {
      if (writer.joinable()) writer.join();
    }
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }

 private:
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> acknowledged_;
  std::vector<std::thread> writers_;
};

}  // namespace tt::testing
