#include "api/routes.h"

#include "api/handlers.h"

namespace tt::api {

std::span<const RouteSpec> RouteTable() {
  static constexpr RouteSpec kRoutes[] = {
      {"POST", "/users", Access::kPublic, &SignUp},
      {"GET", "/users/me", Access::kSignedIn, &GetMe},
      {"GET", "/users/{id}", Access::kPublic, &GetUser},
      {"PATCH", "/users/{id}", Access::kOwnerOrAdmin, &PatchUser},
      {"DELETE", "/users/{id}", Access::kOwnerOrAdmin, &DeleteUser},
      {"POST", "/sessions", Access::kPublic, &SignIn},
      {"DELETE", "/sessions/current", Access::kSignedIn, &SignOut},

      {"POST", "/competitions", Access::kSignedIn, &CreateCompetition},
      {"GET", "/competitions", Access::kPublic, &ListCompetitions},
      {"POST", "/competitions/batch-get", Access::kPublic, &BatchGetCompetitions},
      {"GET", "/competitions/{id}", Access::kPublic, &GetCompetition},
      {"PATCH", "/competitions/{id}", Access::kOwnerOrAdmin, &PatchCompetition},
      {"DELETE", "/competitions/{id}", Access::kOwnerOrAdmin, &DeleteCompetition},
      {"GET", "/competitions/{id}/events", Access::kPublic, &ListCompetitionEvents},
      {"GET", "/competitions/{id}/calendar.ics", Access::kPublic, &GetCompetitionCalendar},

      {"POST", "/athletes", Access::kSignedIn, &CreateAthlete},
      {"GET", "/athletes", Access::kPublic, &ListAthletes},
      {"GET", "/athletes/{id}", Access::kPublic, &GetAthlete},
      {"PATCH", "/athletes/{id}", Access::kOwnerOrAdmin, &PatchAthlete},
      {"DELETE", "/athletes/{id}", Access::kOwnerOrAdmin, &DeleteAthlete},
      {"GET", "/athletes/{id}/events", Access::kPublic, &ListAthleteEvents},
      {"GET", "/athletes/{id}/followers", Access::kPublic, &ListFollowers},
      {"GET", "/athletes/{id}/calendar.ics", Access::kPublic, &GetAthleteCalendar},
      {"POST", "/athletes/{id}/events", Access::kOwnerOrAdmin, &CreateEvent},
      {"PATCH", "/athletes/{id}/events/{event_id}", Access::kOwnerOrAdmin, &PatchEvent},
      {"DELETE", "/athletes/{id}/events/{event_id}", Access::kOwnerOrAdmin, &DeleteEvent},
      {"GET", "/events/{id}", Access::kPublic, &GetEvent},

      {"PUT", "/users/{id}/following/{athlete_id}", Access::kSelf, &Follow},
      {"DELETE", "/users/{id}/following/{athlete_id}", Access::kSelf, &Unfollow},
      // The original prototype's path, kept working for its clients.
      {"POST", "/users/{id}/follow/{athlete_id}", Access::kSelf, &Follow},
      {"GET", "/users/{id}/following", Access::kPublic, &ListFollowing},
      {"GET", "/users/{id}/feed", Access::kOwnerOrAdmin, &Feed},
      {"POST", "/users/{id}/calendar-token", Access::kSelf, &CreateCalendarToken},
      {"DELETE", "/users/{id}/calendar-token", Access::kSelf, &DeleteCalendarToken},
      // The secret token is the credential: calendar apps cannot send an Authorization header.
      {"GET", "/calendars/{token}.ics", Access::kPublic, &GetFeedCalendar},

      {"GET", "/changes", Access::kAdmin, &ListChanges},
      {"POST", "/webhooks", Access::kAdmin, &CreateWebhook},
      {"GET", "/webhooks", Access::kAdmin, &ListWebhooks},
      {"GET", "/webhooks/{id}", Access::kAdmin, &GetWebhook},
      {"PATCH", "/webhooks/{id}", Access::kAdmin, &PatchWebhook},
      {"DELETE", "/webhooks/{id}", Access::kAdmin, &DeleteWebhook},
      {"POST", "/webhooks/{id}/rotate-secret", Access::kAdmin, &RotateWebhookSecret},
      {"GET", "/webhooks/{id}/deliveries", Access::kAdmin, &ListWebhookDeliveries},
      {"POST", "/webhooks/{id}/deliveries/{delivery_id}/redeliver", Access::kAdmin,
       &RedeliverWebhookDelivery},

      {"GET", "/healthz", Access::kPublic, &Healthz},
      {"GET", "/readyz", Access::kPublic, &Readyz},
      {"GET", "/openapi.json", Access::kPublic, &OpenApiDocument},
  };
  return kRoutes;
}

std::vector<Route> MakeRoutes(const Services& services) {
  std::vector<Route> routes;
  for (const RouteSpec& spec : RouteTable()) {
    auto* handler = spec.handler;
    routes.push_back(
        Route{spec.method, spec.path_template, spec.access,
              [&services, handler](const Request& request) { return handler(services, request); }});
  }
  return routes;
}

}  // namespace tt::api
