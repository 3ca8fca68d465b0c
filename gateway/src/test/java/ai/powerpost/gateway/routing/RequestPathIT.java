package ai.powerpost.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import org.junit.jupiter.api.Test;

@GatewayIntegrationTest
class RequestPathIT extends GatewayTestBase {

    @Test
    void insufficientScopeIs403NamingTheScopeAndNeverReachesUpstream() {
        Tenant tenant = tenant("draft_only");
        String post = unique("post");
        client.post()
                .uri("/api/v1/posts/" + post + "/publish")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .contentType("application/json")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("INSUFFICIENT_SCOPE")
                .jsonPath("$.error.required_scope")
                .isEqualTo("posts:publish")
                .jsonPath("$.error.message")
                .value(m -> assertThat((String) m).contains("posts:publish"));
        assertThat(UPSTREAM.receivedUnder("/api/v1/posts/" + post)).isEmpty();
    }

    @Test
    void readOnlyKeyCannotUpload() {
        Tenant tenant = tenant("read_only");
        client.post()
                .uri("/api/v1/media/upload")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.error.required_scope")
                .isEqualTo("media:write");
    }

    @Test
    void customScopesAreHonouredExactly() {
        String account = unique("acct");
        String workspace = unique("ws");
        addWorkspace(account, workspace);
        CreatedKey key = createKey(
                account,
                java.util.Map.of(
                        "name", "calendar bot", "scopes", java.util.List.of("calendar:read", "calendar:write")));
        client.delete()
                .uri("/api/v1/calendar/entries/" + unique("cal"))
                .header("x-api-key", key.key())
                .header("X-Workspace-Id", workspace)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", key.key())
                .header("X-Workspace-Id", workspace)
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody(Void.class);
    }

    @Test
    void missingWorkspaceIs400NamingTheHeader() {
        Tenant tenant = tenant("full_access");
        String post = unique("post");
        client.get()
                .uri("/api/v1/posts/" + post)
                .header("x-api-key", tenant.key().key())
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .json(
                        "{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"X-Workspace-Id header is missing\"}}",
                        true);
        client.get()
                .uri("/api/v1/posts/" + post)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", "")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(Void.class);
        assertThat(UPSTREAM.receivedUnder("/api/v1/posts/" + post)).isEmpty();
    }

    @Test
    void workspaceOfAnotherAccountIs403Forbidden() {
        Tenant mine = tenant("full_access");
        Tenant theirs = tenant("full_access");
        String post = unique("post");
        client.get()
                .uri("/api/v1/posts/" + post)
                .header("x-api-key", mine.key().key())
                .header("X-Workspace-Id", theirs.workspaceId())
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .json(
                        "{\"error\":{\"code\":\"FORBIDDEN\",\"message\":\"You don't own the specified workspace\"}}",
                        true);
        assertThat(UPSTREAM.receivedUnder("/api/v1/posts/" + post)).isEmpty();
    }

    @Test
    void workspaceRecordedLaterIsHonouredAtOnceAndRemovalTakesEffectAtOnce() {
        Tenant tenant = tenant("full_access");
        String later = unique("ws");
        var call = client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", later);
        call.exchange().expectStatus().isForbidden().expectBody(Void.class);
        addWorkspace(tenant.accountId(), later);
        call.exchange().expectStatus().isOk().expectBody(Void.class);
        admin.delete()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", tenant.accountId(), later)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        call.exchange().expectStatus().isForbidden().expectBody(Void.class);
    }

    @Test
    void malformedWorkspaceIdIs400() {
        Tenant tenant = tenant("full_access");
        client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", "ws/../other")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("VALIDATION_ERROR");
        client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", "x".repeat(65))
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(Void.class);
    }

    @Test
    void accountCreditsNeedsNoWorkspace() {
        Tenant tenant = tenant("read_only");
        client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", tenant.key().key())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
    }

    @Test
    void unknownPathIs404AndUndeclaredMethodIs405WithAllow() {
        Tenant tenant = tenant("full_access");
        client.get()
                .uri("/api/v1/nope")
                .header("x-api-key", tenant.key().key())
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .json("{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Resource not found\"}}", true);
        client.put()
                .uri("/api/v1/calendar/entries/" + unique("cal"))
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isEqualTo(405)
                .expectHeader()
                .valueEquals("Allow", "DELETE, GET, PATCH")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("METHOD_NOT_ALLOWED");
        // Deny by default comes before authentication: no key needed to learn a path is unknown.
        client.get()
                .uri("/api/v2/anything")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(Void.class);
    }

    @Test
    void rootIs404NotFoundForAnyMethodWithoutAKey() {
        // what load balancers and scanners probe: a well-formed path no route declares, so neither
        // 400 (it is not malformed) nor 405 (there is no route there to allow any method)
        String notFound = "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Resource not found\"}}";
        client.get()
                .uri("/")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentType("application/json")
                .expectBody()
                .json(notFound, true);
        client.post()
                .uri("/")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .json(notFound, true);
        client.get()
                .uri("/?probe=1&x=%2e%2e")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .json(notFound, true);
        client.head()
                .uri("/")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .doesNotExist("Allow")
                .expectBody()
                .isEmpty();
        client.delete()
                .uri("/")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .doesNotExist("Allow")
                .expectBody(Void.class);
    }

    @Test
    void managementPathsAreNotServedOnThePublicPort() {
        client.get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(Void.class);
        client.get()
                .uri("/admin/v1/accounts/a/keys")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(Void.class);
    }

    @Test
    void upstreamErrorsPassThroughUntouched() {
        Tenant tenant = tenant("full_access");
        client.get()
                .uri("/api/v1/posts/" + unique("post"))
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .header("X-Test-Status", "409")
                .exchange()
                .expectStatus()
                .isEqualTo(409)
                .expectBody()
                .json("{\"error\":{\"code\":\"UPSTREAM\",\"message\":\"from upstream\"}}", true);
    }

    @Test
    void queryStringReachesUpstreamUnchanged() {
        Tenant tenant = tenant("full_access");
        String marker = unique("q");
        client.get()
                .uri("/api/v1/calendar/entries?start_date=2026-01-01&end_date=2026-02-01&m=" + marker)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        assertThat(UPSTREAM.receivedUnder(
                        "/api/v1/calendar/entries?start_date=2026-01-01&end_date=2026-02-01&m=" + marker))
                .hasSize(1);
    }
}
