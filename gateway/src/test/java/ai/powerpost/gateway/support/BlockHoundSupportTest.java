package ai.powerpost.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The detector behind {@link NoBlockingCallsExtension}: it sees a blocking call and lets it finish. */
class BlockHoundSupportTest {

    @Test
    void aBlockingCallOnANonBlockingThreadIsRecordedWithItsStackAndCompletes() throws Exception {
        BlockHoundSupport.install();
        BlockHoundSupport.drain(); // whatever came before is not this test's

        CompletableFuture<String> done = new CompletableFuture<>();
        Mono.fromRunnable(() -> {
                    try {
                        Thread.sleep(1); // the blocking call, on a parallel (non-blocking) worker
                        done.complete(Thread.currentThread().getName());
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                })
                .subscribeOn(Schedulers.parallel())
                .subscribe();

        String thread = done.get(10, TimeUnit.SECONDS); // it completed: nothing was thrown into it
        BlockHoundSupport.Drained drained = BlockHoundSupport.drain(); // and this test passes
        assertThat(drained.total()).isEqualTo(1);
        assertThat(drained.kept()).singleElement().satisfies(call -> {
            assertThat(call.getMessage()).contains("sleep").contains(thread);
            assertThat(call.getStackTrace())
                    .anySatisfy(frame -> assertThat(frame.getClassName())
                            .isEqualTo(getClass().getName()));
        });
    }

    @Test
    void theSameCallOffTheEventLoopsIsNotRecorded() throws Exception {
        BlockHoundSupport.install();
        BlockHoundSupport.drain();
        Mono.delay(Duration.ZERO)
                .publishOn(Schedulers.boundedElastic())
                .doOnNext(tick -> {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .toFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(BlockHoundSupport.drain().total()).isZero();
    }
}
