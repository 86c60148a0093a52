#include "webhook_receiver.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tt::testing {

namespace json = boost::json;

WebhookReceiver::WebhookReceiver(std::filesystem::path dir, uint16_t port)
    : dir_(std::move(dir)), port_(port) {
  std::filesystem::create_directories(dir_);
  Configure({});
  Start();
}

WebhookReceiver::~WebhookReceiver() { Stop(); }

std::string WebhookReceiver::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void WebhookReceiver::Configure(const std::vector<std::string>& secrets, int status,
                                const std::vector<int>& statuses, std::chrono::milliseconds delay) {
  json::object control;
  json::array secret_list;
  for (const std::string& secret : secrets) secret_list.emplace_back(secret);
  control["secrets"] = std::move(secret_list);
  control["status"] = status;
  json::array status_list;
  for (int value : statuses) status_list.emplace_back(value);
  control["statuses"] = std::move(status_list);
  control["delay"] = static_cast<double>(delay.count()) / 1000.0;
  // Written whole, then moved into place: the receiver never reads half a file.
  const std::filesystem::path staged = dir_ / "control.json.tmp";
  std::ofstream(staged) << json::serialize(control);
  std::filesystem::rename(staged, dir_ / "control.json");
}

std::vector<ReceivedWebhook> WebhookReceiver::Received() const {
  std::vector<ReceivedWebhook> received;
  std::ifstream log(dir_ / "received.jsonl");
  std::string line;
  while (std::getline(log, line)) {
    if (line.empty()) continue;
    boost::system::error_code error;
    json::value record = json::parse(line, error);
    if (error) continue;  // a line being written
    ReceivedWebhook webhook;
    webhook.id = std::string(record.at("id").as_string());
    webhook.timestamp = std::string(record.at("timestamp").as_string());
    webhook.signature = std::string(record.at("signature").as_string());
    for (const json::value& index : record.at("valid_for").as_array()) {
      webhook.valid_for.push_back(static_cast<int>(index.as_int64()));
    }
    json::value body = json::parse(record.at("body").as_string(), error);
    if (!error && body.is_object()) webhook.body = body.as_object();
    webhook.answered = static_cast<int>(record.at("status").as_int64());
    received.push_back(std::move(webhook));
  }
  return received;
}

void WebhookReceiver::Start() {
  if (pid_ > 0) return;
  const std::filesystem::path port_file = dir_ / "port";
  std::filesystem::remove(port_file);
  const std::string script = std::string(TT_SOURCE_DIR) + "/tests/integration/webhooks/receiver.py";
  const std::string port_path = port_file.string();
  const std::string log_path = (dir_ / "received.jsonl").string();
  const std::string control_path = (dir_ / "control.json").string();
  const std::string port_text = std::to_string(port_);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setenv("RECEIVER_PORT", port_text.c_str(), 1);
    execlp("python3", "python3", script.c_str(), port_path.c_str(), log_path.c_str(),
           control_path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(port_file)) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the webhook receiver exited at start (is python3 installed?)");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Stop();
      throw std::runtime_error("the webhook receiver did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream in(port_file);
  int port = 0;
  in >> port;
  port_ = static_cast<uint16_t>(port);
}

void WebhookReceiver::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace tt::testing
