package ai.powerpost.gateway.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * The responses to {@link TestClients}' requests whose body nobody has read yet. A test that
 * checks only a response's status leaves its body in Netty buffers that are never released;
 * Netty reports that as a leak only if and when the buffers are collected, so such a test would
 * fail the run now and then, usually a later test. Kept here, an unread body fails the very test
 * that left it ({@link NoBufferLeaksExtension}), every time, naming the line that sent the request.
 */
final class UnreadResponseBodies {

    private static final Set<Unread> UNREAD = ConcurrentHashMap.newKeySet();

    private UnreadResponseBodies() {}

    /** {@code response}, its body marked read once anything subscribes to it. */
    static ClientResponse watch(ClientResponse response, String sentFrom) {
        Unread unread = new Unread(response, sentFrom);
        UNREAD.add(unread);
        return response.mutate()
                .body(body -> body.doOnSubscribe(subscription -> UNREAD.remove(unread)))
                .build();
    }

    /**
     * Where the requests were sent from whose bodies are still unread, oldest first, after
     * releasing those bodies (bounded, on the calling thread: a test's, never an event loop).
     */
    static List<String> releaseUnread() {
        List<String> sentFrom = new ArrayList<>();
        for (Unread unread : List.copyOf(UNREAD)) {
            if (UNREAD.remove(unread)) {
                sentFrom.add(unread.response.statusCode().value() + " from a request sent from " + unread.sentFrom);
                unread.response.releaseBody().onErrorComplete().block(Duration.ofSeconds(5));
            }
        }
        return sentFrom;
    }

    private record Unread(ClientResponse response, String sentFrom) {}
}
