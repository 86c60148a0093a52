#include "domain/webhook.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

TEST(Webhook, AnEndpointWantsTheTypesItListsOrEveryTypeWithTheWildcard) {
  WebhookEndpoint endpoint;
  endpoint.types = {"event.created", "event.deleted"};
  EXPECT_TRUE(WantsChange(endpoint, ChangeType::kEventCreated));
  EXPECT_FALSE(WantsChange(endpoint, ChangeType::kEventUpdated));
  endpoint.types = {"*"};
  for (ChangeType type : kAllChangeTypes) EXPECT_TRUE(WantsChange(endpoint, type));
}

TEST(Webhook, TypesMustBeKnownDistinctAndBetweenOneAndThirtyTwo) {
  auto problem = [](std::vector<std::string> types) {
    FieldErrors errors;
    CheckWebhookTypes(types, errors);
    return errors.Has("types");
  };
  EXPECT_FALSE(problem({"competition.created"}));
  EXPECT_FALSE(problem({"*"}));
  EXPECT_FALSE(problem({"follow.created", "follow.deleted", "user.deleted"}));
  EXPECT_TRUE(problem({}));
  EXPECT_TRUE(problem({"competition.renamed"}));
  EXPECT_TRUE(problem({"event.created", "event.created"}));
  EXPECT_TRUE(problem(std::vector<std::string>(33, "*")));
}

}  // namespace
}  // namespace tt
