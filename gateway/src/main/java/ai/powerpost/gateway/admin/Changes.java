package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.errors.ApiError;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The one unit through which every change of the management API passes. For each call it checks
 * the caller's role, writes the audit entry, and only then makes the change:
 * <ol>
 * <li>Outside its role, or refused by validation: one entry, outcome {@code refused} with the code,
 *     and the error. Nothing is changed.</li>
 * <li>Otherwise one entry, outcome {@code attempted}, is appended to the trail <em>before</em> the
 *     change is made. If it cannot be appended, the change is not made and the answer is 503.</li>
 * <li>The change is made with a {@link Permit}, which only this class can issue: the stores'
 *     writes demand one, so no handler can change anything any other way.</li>
 * <li>Its outcome ({@code done}, {@code refused} with the code, {@code failed}) is recorded beside
 *     the entry. Should that fail (or the process die first), the entry still says the change was
 *     attempted: a change is never without its entry (docs/redis-schema.md, "The audit trail").</li>
 * </ol>
 * Every entry is also written as one JSON line on the {@code audit} logger, with its final outcome.
 */
public final class Changes {

    private static final Logger log = LoggerFactory.getLogger(Changes.class);

    private final AuditStore audit;

    Changes(AuditStore audit) {
        this.audit = audit;
    }

    /**
     * Proof that a change is made through {@link Changes}: the stores' writes take one, and only
     * this class makes them.
     */
    public static final class Permit {
        private Permit() {}
    }

    /** What a change will do, decided once the role was checked: refuse it, or apply it. */
    public sealed interface Plan permits Invalid, Apply {}

    /** Refused by validation: nothing is changed; the entry names the target as far as it is known. */
    public record Invalid(ApiError error, Target target) implements Plan {}

    /** The change to make, to {@code target}. */
    public record Apply(Target target, Function<Permit, Mono<Result>> change) implements Plan {}

    /** How a change ended. */
    public sealed interface Result permits Done, Refused {}

    /** Made: the answer's status and body (null: no body). */
    public record Done(HttpStatus status, @Nullable Object body) implements Result {}

    /** Not made, for a reason the store found (an unknown id, a limit): the error answered. */
    public record Refused(ApiError error) implements Result {}

    /** A refusal for lack of a role, naming the role the call needs. */
    public static ApiError forbidden(Role needed) {
        return ApiError.of(HttpStatus.FORBIDDEN, "FORBIDDEN", "This call requires role " + needed.wireName());
    }

    /**
     * Makes the change {@code plan} describes, as the caller of {@code request}, if its role
     * includes {@code needed}; {@code target} names what the call is about before the plan is made.
     */
    public Mono<ServerResponse> make(
            ServerRequest request, Role needed, Action action, Target target, Supplier<Mono<Plan>> plan) {
        return makeAs(Caller.of(request), needed, action, target, plan).flatMap(Changes::answer);
    }

    /**
     * The same change unit as {@link #make}, for a caller the console authenticated (its session):
     * the role checked, the entry written first, then the change. The result instead of an answer:
     * a refusal (role, validation, the store's, or 503 when no entry could be written) is a
     * {@link Refused}; a change that failed part-way is an error, as for {@link #make}.
     */
    public Mono<Result> makeAs(Caller caller, Role needed, Action action, Target target, Supplier<Mono<Plan>> plan) {
        AuditEntry base = new AuditEntry(
                null,
                Instant.now(),
                caller.actor(),
                action.wireName(),
                target,
                AuditEntry.ATTEMPTED,
                null,
                caller.requestId(),
                caller.clientAddress());
        if (!caller.actor().role().includes(needed)) {
            return refuse(base, forbidden(needed));
        }
        return plan.get()
                .flatMap(decided -> decided instanceof Apply apply
                        ? apply(withTarget(base, apply.target()), apply.change())
                        : refuse(withTarget(base, ((Invalid) decided).target()), ((Invalid) decided).error()));
    }

    private static Mono<ServerResponse> answer(Result result) {
        if (result instanceof Done done) {
            Object body = done.body();
            return body == null
                    ? ServerResponse.status(done.status()).build()
                    : AdminResponses.json(done.status(), body);
        }
        return AdminResponses.error(((Refused) result).error());
    }

    /** Records a refusal (one entry, outcome refused), then returns it; 503 when it cannot be recorded. */
    private Mono<Result> refuse(AuditEntry base, ApiError error) {
        AuditEntry entry = base.withOutcome(AuditEntry.REFUSED, error.code());
        return audit.append(entry)
                .map(entry::withId)
                .<Result>map(recorded -> {
                    AuditStore.log(recorded);
                    return new Refused(error);
                })
                .onErrorResume(e -> unrecorded(entry, e));
    }

    private Mono<Result> apply(AuditEntry intent, Function<Permit, Mono<Result>> change) {
        return audit.append(intent)
                .map(intent::withId)
                .onErrorResume(e -> Mono.error(new Unrecorded(e)))
                .flatMap(recorded -> Mono.defer(() -> change.apply(new Permit()))
                        .flatMap(result -> finish(recorded, result))
                        .onErrorResume(e -> !(e instanceof Unrecorded), e -> failed(recorded, e)))
                .onErrorResume(Unrecorded.class, e -> unrecorded(intent, e.getCause()));
    }

    /**
     * A change the gateway makes on its own, outside the management API: a key reported as leaked,
     * on the public port ({@code leaks}). Who reports it is a system {@link Actor}; the request's id
     * and client address and the report's URL go into the entry.
     *
     * @param actor     {@link Actor#GITHUB_SECRET_SCANNING} or {@link Actor#PUBLIC_REPORT}
     * @param requestId the reporting request's {@code X-Request-Id}
     * @param client    the reporting client's address
     * @param leakUrl   where the key was found, as reported (already sanitised); null when not said
     */
    public record SystemCall(
            Actor actor,
            String requestId,
            String client,
            @Nullable String leakUrl) {}

    /**
     * Makes a change on the gateway's own behalf, through the same steps as a management call: the
     * entry ({@code attempted}) first, then the change with a {@link Permit}, then its outcome.
     * No role is checked (the caller decided the change is due). The change's result; an error
     * when the entry could not be written (nothing was changed then) or the change failed.
     */
    public Mono<Result> makeAsSystem(
            SystemCall call, Action action, Target target, Function<Permit, Mono<Result>> change) {
        AuditEntry intent = new AuditEntry(
                null,
                Instant.now(),
                call.actor(),
                action.wireName(),
                target,
                AuditEntry.ATTEMPTED,
                null,
                call.requestId(),
                call.client(),
                call.leakUrl());
        return audit.append(intent)
                .map(intent::withId)
                .onErrorResume(e -> Mono.error(new Unrecorded(e)))
                .flatMap(recorded -> Mono.defer(() -> change.apply(new Permit()))
                        .flatMap(result -> complete(
                                        result instanceof Refused refused
                                                ? recorded.withOutcome(
                                                        AuditEntry.REFUSED,
                                                        refused.error().code())
                                                : recorded.withOutcome(AuditEntry.DONE, null))
                                .thenReturn(result))
                        .onErrorResume(
                                e -> !(e instanceof Unrecorded),
                                e -> complete(recorded.withOutcome(AuditEntry.FAILED, ApiError.AUTH_UNAVAILABLE.code()))
                                        .then(Mono.error(e))))
                .onErrorResume(Unrecorded.class, e -> {
                    logUnrecorded(intent, e.getCause());
                    return Mono.error(e.getCause());
                });
    }

    private Mono<Result> finish(AuditEntry recorded, Result result) {
        AuditEntry ended = result instanceof Refused refused
                ? recorded.withOutcome(AuditEntry.REFUSED, refused.error().code())
                : recorded.withOutcome(AuditEntry.DONE, null);
        return complete(ended).thenReturn(result);
    }

    /** The change failed part-way (an outage): recorded as failed if Redis takes it, then 503 (or 500). */
    private Mono<Result> failed(AuditEntry recorded, Throwable failure) {
        return complete(recorded.withOutcome(AuditEntry.FAILED, ApiError.AUTH_UNAVAILABLE.code()))
                .then(Mono.error(failure));
    }

    /**
     * Records the outcome beside the entry; when it cannot, the entry keeps saying
     * {@code attempted}, which is true, and the caller still gets the change's answer.
     */
    private Mono<Void> complete(AuditEntry ended) {
        String id = ended.id();
        return audit.complete(id == null ? "" : id, ended.outcome(), ended.code())
                .doOnSuccess(done -> AuditStore.log(ended))
                .onErrorResume(e -> {
                    log.warn(
                            "audit entry {} stays 'attempted': its outcome ({}) could not be recorded ({})",
                            id,
                            ended.outcome(),
                            e.getClass().getSimpleName());
                    AuditStore.log(ended);
                    return Mono.empty();
                });
    }

    /** No entry could be written: nothing was changed, and the caller is told to retry. */
    private Mono<Result> unrecorded(AuditEntry entry, Throwable failure) {
        logUnrecorded(entry, failure);
        return Mono.just(new Refused(ApiError.AUTH_UNAVAILABLE));
    }

    private static void logUnrecorded(AuditEntry entry, Throwable failure) {
        log.warn(
                "audit entry could not be written ({}): {} refused with 503, nothing changed",
                failure.getClass().getSimpleName(),
                entry.action());
        AuditStore.log(entry.withOutcome(AuditEntry.REFUSED, ApiError.AUTH_UNAVAILABLE.code()));
    }

    private static AuditEntry withTarget(AuditEntry base, Target target) {
        return new AuditEntry(
                null,
                base.at(),
                base.actor(),
                base.action(),
                target,
                base.outcome(),
                base.code(),
                base.requestId(),
                base.client());
    }

    /** The intent could not be appended. */
    private static final class Unrecorded extends RuntimeException {
        Unrecorded(Throwable cause) {
            super(null, cause, false, false);
        }
    }
}
