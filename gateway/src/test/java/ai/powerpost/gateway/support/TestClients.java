package ai.powerpost.gateway.support;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.stream.Collectors;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

/**
 * HTTP clients for the tests: a new connection per request, outside Reactor Netty's global pool,
 * which the gateways under test share in this JVM. Tests then never wait on each other's pooled
 * connections, and each request is what an independent client sends.
 *
 * <p>Every response body must be read or released, even when the test checks only the status
 * ({@code .expectBody(Void.class)} releases it, {@code .expectBody().isEmpty()} asserts there is
 * none): an unread body stays in Netty buffers that are never released. {@link
 * UnreadResponseBodies} keeps each response until its body is subscribed to, and {@link
 * NoBufferLeaksExtension} fails the test that left one unread. So that a Netty leak report names
 * the test code too, every message a client receives is marked (Netty's {@code touch}) with where
 * the request was sent from.
 */
public final class TestClients {

    private static final String SENT_FROM = "powerpost.test.sentFrom";
    private static final AttributeKey<String> SENT_FROM_ATTRIBUTE = AttributeKey.valueOf(SENT_FROM);
    private static final StackWalker STACK = StackWalker.getInstance();

    private TestClients() {}

    public static WebTestClient to(int port) {
        HttpClient http = HttpClient.newConnection()
                .doOnRequest((request, connection) -> connection
                        .channel()
                        .attr(SENT_FROM_ATTRIBUTE)
                        .set(request.currentContextView().getOrDefault(SENT_FROM, "?")))
                .doOnConnected(connection -> connection.addHandlerFirst(SENT_FROM, new MarkReceived()));
        return WebTestClient.bindToServer(new ReactorClientHttpConnector(http))
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(20))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                // runs on the thread that sends the request, the test's own
                .filter((request, next) -> {
                    String sentFrom = sentFrom();
                    return next.exchange(request)
                            .map(response -> UnreadResponseBodies.watch(response, sentFrom))
                            .contextWrite(context -> context.put(SENT_FROM, sentFrom));
                })
                .build();
    }

    public static WebTestClient admin(int managementPort) {
        return to(managementPort)
                .mutate()
                .defaultHeader("Authorization", "Bearer " + GatewayTestBase.ADMIN_TOKEN)
                .build();
    }

    /** The innermost frames of the project's test code that sent the request, innermost first. */
    private static String sentFrom() {
        return STACK.walk(frames -> frames.filter(frame -> frame.getClassName().startsWith("ai.powerpost.")
                        && !frame.getClassName().startsWith(TestClients.class.getName()))
                .limit(3)
                .map(frame ->
                        frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1) + "."
                                + frame.getMethodName() + ":" + frame.getLineNumber())
                .collect(Collectors.joining(" < ")));
    }

    /** Adds "received by a test client, sent from ..." to each message's leak records. */
    private static final class MarkReceived extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            ReferenceCountUtil.touch(
                    message,
                    "received by a test client, sent from "
                            + context.channel().attr(SENT_FROM_ATTRIBUTE).get());
            context.fireChannelRead(message);
        }
    }
}
