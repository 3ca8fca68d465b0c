package ai.powerpost.gateway.bench;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * Subscribes to a Mono the way the server does (one subscriber, unbounded demand) and returns its
 * value. Only for publishers that complete during the subscribe call, as a warm cache answer and a
 * filter chain that never leaves the calling thread do: never blocks, and fails loudly otherwise,
 * so a benchmark cannot silently measure the assembly of work that never ran.
 */
final class Sync {

    private Sync() {}

    static <T> @Nullable T value(Mono<T> mono) {
        Capture<T> capture = new Capture<>();
        mono.subscribe(capture);
        if (!capture.done) {
            throw new IllegalStateException("did not complete synchronously: " + mono);
        }
        if (capture.error != null) {
            throw new IllegalStateException("failed: " + capture.error, capture.error);
        }
        return capture.value;
    }

    private static final class Capture<T> implements CoreSubscriber<T> {
        private @Nullable T value;
        private @Nullable Throwable error;
        private boolean done;

        @Override
        public void onSubscribe(Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(T next) {
            value = next;
        }

        @Override
        public void onError(Throwable failure) {
            error = failure;
            done = true;
        }

        @Override
        public void onComplete() {
            done = true;
        }
    }
}
