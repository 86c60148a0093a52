// Webhook endpoints in the Store contract (storage/store.h), typed over every backend like
// store_test.cc.
#include "storage/store_test_fixture.h"

namespace tt {
namespace {

template <typename Factory>
class WebhookStoreTest : public StoreTest<Factory> {
 protected:
  WebhookEndpoint MakeEndpoint(int n, Timestamp created_at) {
    WebhookEndpoint endpoint;
    endpoint.id = this->NewId();
    endpoint.url = "https://hooks.example.com/" + std::to_string(n);
    endpoint.types = {"event.created", "event.deleted"};
    endpoint.description = "endpoint " + std::to_string(n);
    endpoint.created_at = created_at;
    endpoint.updated_at = created_at;
    return endpoint;
  }
  static WebhookSecrets Sealed(std::string current) {
    return WebhookSecrets{std::move(current), std::nullopt, std::nullopt};
  }
};

TYPED_TEST_SUITE(WebhookStoreTest, ::tt::testing::StoreBackends, BackendName);

TYPED_TEST(WebhookStoreTest, CreatedEndpointReadsBackWithItsSecretsAndConflictsTheSecondTime) {
  WebhookEndpoint endpoint = this->MakeEndpoint(1, At(10));
  endpoint.description.reset();
  ASSERT_OK(RunSync(this->store().CreateWebhookEndpoint(endpoint, this->Sealed("sb1:current"))));
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateWebhookEndpoint(endpoint, this->Sealed("x")))),
            "conflict");

  auto found = RunSync(this->store().GetWebhookEndpoint(endpoint.id));
  ASSERT_OK(found);
  EXPECT_EQ(found->first.url, endpoint.url);
  EXPECT_EQ(found->first.types, endpoint.types);
  EXPECT_EQ(found->first.description, std::nullopt);
  EXPECT_FALSE(found->first.disabled);
  EXPECT_EQ(found->first.created_at, At(10));
  EXPECT_EQ(found->first.version, 1);
  EXPECT_EQ(found->second.current, "sb1:current");
  EXPECT_EQ(found->second.previous, std::nullopt);
  EXPECT_EQ(found->second.previous_until, std::nullopt);
  EXPECT_EQ(CodeOf(RunSync(this->store().GetWebhookEndpoint(this->NewId()))), "not_found");
}

TYPED_TEST(WebhookStoreTest, UpdateWritesFieldsAndSecretsOnlyWhenGivenAndChecksTheVersion) {
  WebhookEndpoint endpoint = this->MakeEndpoint(1, At(10));
  ASSERT_OK(RunSync(this->store().CreateWebhookEndpoint(endpoint, this->Sealed("sb1:first"))));

  endpoint.url = "https://hooks.example.com/moved";
  endpoint.types = {"*"};
  endpoint.disabled = true;
  endpoint.updated_at = At(20);
  endpoint.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateWebhookEndpoint(endpoint, 1, std::nullopt)));
  auto updated = RunSync(this->store().GetWebhookEndpoint(endpoint.id));
  ASSERT_OK(updated);
  EXPECT_EQ(updated->first.url, "https://hooks.example.com/moved");
  EXPECT_EQ(updated->first.types, std::vector<std::string>{"*"});
  EXPECT_TRUE(updated->first.disabled);
  EXPECT_EQ(updated->first.created_at, At(10));
  EXPECT_EQ(updated->first.version, 2);
  EXPECT_EQ(updated->second.current, "sb1:first") << "no secrets given, none changed";

  endpoint.version = 3;
  const WebhookSecrets rotated{"sb1:second", "sb1:first", At(20 + 86400)};
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateWebhookEndpoint(endpoint, 1, rotated))),
            "precondition_failed");
  ASSERT_OK(RunSync(this->store().UpdateWebhookEndpoint(endpoint, 2, rotated)));
  auto after_rotation = RunSync(this->store().GetWebhookEndpoint(endpoint.id));
  ASSERT_OK(after_rotation);
  EXPECT_EQ(after_rotation->second.current, "sb1:second");
  EXPECT_EQ(after_rotation->second.previous, "sb1:first");
  EXPECT_EQ(after_rotation->second.previous_until, At(20 + 86400));

  endpoint.id = this->NewId();
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateWebhookEndpoint(endpoint, 1, std::nullopt))),
            "not_found");
}

TYPED_TEST(WebhookStoreTest, ListPagesByCreationThenIdAndDeleteHonoursTheVersion) {
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) {
    const WebhookEndpoint endpoint = this->MakeEndpoint(i, At(100 - i % 2));  // ties on time
    ASSERT_OK(RunSync(this->store().CreateWebhookEndpoint(endpoint, this->Sealed("s"))));
    created.push_back(endpoint.id);
  }
  // By (created_at, id): the odd ones (At(99)) first, then the even ones; ids grow with i.
  const std::vector<std::string> expected = {created[1], created[3], created[0], created[2],
                                             created[4]};
  const std::vector<WebhookEndpoint> listed = AllPages<WebhookEndpoint>(
      WebhookEndpointQuery{.limit = 2},
      [&](const WebhookEndpointQuery& q) { return this->store().ListWebhookEndpoints(q); },
      [](const WebhookEndpoint& last) {
        return WebhookEndpointCursor{last.created_at, last.id};
      });
  EXPECT_EQ(IdsOf(listed), expected);

  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteWebhookEndpoint(created[0], 9))),
            "precondition_failed");
  ASSERT_OK(RunSync(this->store().DeleteWebhookEndpoint(created[0], 1)));
  EXPECT_EQ(CodeOf(RunSync(this->store().GetWebhookEndpoint(created[0]))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteWebhookEndpoint(created[0], std::nullopt))),
            "not_found");
}

}  // namespace
}  // namespace tt
