// The API's handlers, one file per resource (users.cc, sessions.cc, competitions.cc, ...). Each
// decodes the request, applies the domain's rules, calls the Store and encodes the answer;
// expected failures come back as Error values for src/http to map. routes.cc binds them to paths.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "api/request.h"
#include "api/services.h"

namespace tt::api {

using Reply = boost::asio::awaitable<Result<Response>>;

// users.cc
Reply SignUp(const Services& services, const Request& request);
Reply GetMe(const Services& services, const Request& request);
Reply GetUser(const Services& services, const Request& request);
Reply PatchUser(const Services& services, const Request& request);
Reply DeleteUser(const Services& services, const Request& request);

// sessions.cc
Reply SignIn(const Services& services, const Request& request);
Reply SignOut(const Services& services, const Request& request);

// competitions.cc
Reply CreateCompetition(const Services& services, const Request& request);
Reply GetCompetition(const Services& services, const Request& request);
Reply PatchCompetition(const Services& services, const Request& request);
Reply DeleteCompetition(const Services& services, const Request& request);
// GET /competitions: the batch when `ids` is given, else the filtered list.
Reply ListCompetitions(const Services& services, const Request& request);
Reply BatchGetCompetitions(const Services& services, const Request& request);

// athletes.cc
Reply CreateAthlete(const Services& services, const Request& request);
Reply GetAthlete(const Services& services, const Request& request);
Reply ListAthletes(const Services& services, const Request& request);
Reply PatchAthlete(const Services& services, const Request& request);
Reply DeleteAthlete(const Services& services, const Request& request);

// events.cc
Reply ListAthleteEvents(const Services& services, const Request& request);
// GET /competitions/{id}/events: the start list.
Reply ListCompetitionEvents(const Services& services, const Request& request);
Reply CreateEvent(const Services& services, const Request& request);
Reply GetEvent(const Services& services, const Request& request);
Reply PatchEvent(const Services& services, const Request& request);
Reply DeleteEvent(const Services& services, const Request& request);

// following.cc
Reply Follow(const Services& services, const Request& request);
Reply Unfollow(const Services& services, const Request& request);
Reply ListFollowing(const Services& services, const Request& request);
Reply ListFollowers(const Services& services, const Request& request);
Reply Feed(const Services& services, const Request& request);

// calendars.cc: iCalendar subscriptions.
Reply GetAthleteCalendar(const Services& services, const Request& request);
Reply GetCompetitionCalendar(const Services& services, const Request& request);
// GET /calendars/{token}.ics: the feed of the user whose calendar token it is.
Reply GetFeedCalendar(const Services& services, const Request& request);
Reply CreateCalendarToken(const Services& services, const Request& request);
Reply DeleteCalendarToken(const Services& services, const Request& request);

// changes.cc: the change log (admins).
Reply ListChanges(const Services& services, const Request& request);

// webhooks.cc: webhook endpoints and their deliveries (admins).
Reply CreateWebhook(const Services& services, const Request& request);
Reply ListWebhooks(const Services& services, const Request& request);
Reply GetWebhook(const Services& services, const Request& request);
Reply PatchWebhook(const Services& services, const Request& request);
Reply DeleteWebhook(const Services& services, const Request& request);
// POST /webhooks/{id}/rotate-secret: a new secret; the old one keeps signing for 24 hours.
Reply RotateWebhookSecret(const Services& services, const Request& request);
Reply ListWebhookDeliveries(const Services& services, const Request& request);
Reply RedeliverWebhookDelivery(const Services& services, const Request& request);

// operations.cc
Reply Healthz(const Services& services, const Request& request);
Reply Readyz(const Services& services, const Request& request);
Reply OpenApiDocument(const Services& services, const Request& request);

}  // namespace tt::api
