package ai.powerpost.gateway.admin.operators;

import ai.powerpost.gateway.admin.Actor;
import ai.powerpost.gateway.admin.Role;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A named operator as its record holds it (never its token, nor the token's hash).
 *
 * @param id         {@code op_} and 20 base-62 characters, drawn at creation
 * @param name       who or what uses it ("alice", "dashboard backend", "ci")
 * @param role       what it may do
 * @param createdAt  when it was created
 * @param expiresAt  when its token stops working; null: never
 * @param createdBy  the id of the actor that created it ({@code root} or an operator id)
 * @param lastUsedAt its newest authenticated call, as last flushed; null: never used
 */
public record Operator(
        String id,
        String name,
        Role role,
        Instant createdAt,
        @Nullable Instant expiresAt,
        String createdBy,
        @Nullable Instant lastUsedAt) {

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    Actor actor() {
        return new Actor(id, name, role);
    }
}
