package ai.powerpost.gateway.demo;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * A canned stand-in for the PowerPost public REST API, for the demo only.
 *
 * <p>It lets a newcomer run the gateway without a PowerPost account and still see plausible
 * answers. It answers the 18 documented {@code /api/v1/...} endpoints with HTTP 200 (PowerPost
 * uses 200 for every success, creates included) and fixed JSON in the documented shapes, echoing
 * path ids where natural. Any other path or method gets PowerPost's 404 {@code NOT_FOUND} body.
 * It keeps no state: creating, updating or deleting changes nothing.
 *
 * <p>Every request body is drained before the answer, never buffered: a media upload is only
 * counted and reported as {@code size_bytes}. Every response carries
 * {@code Content-Type: application/json}, and headers showing what the gateway forwarded:
 * {@value #SAW_WORKSPACE} (the request's {@value #WORKSPACE}), {@value #SAW_ACCOUNT} (the
 * request's {@value #ACCOUNT}) and {@value #SAW_KEY_MODE} (the request's {@value #KEY_MODE}),
 * each only when the request had it.
 *
 * <p>Started as the sandbox ({@link #start(String, int, boolean)}), where the gateway sends the
 * calls of test keys, it gives the same answers, marked: each success has {@code "sandbox":true}
 * as its first field, and every answer carries {@value #SANDBOX}{@code : true}.
 *
 * <p>Plain Reactor Netty, no Spring. Never use it outside a demo.
 */
public final class MockPowerPostUpstream {

    static final String WORKSPACE = "X-Workspace-Id";
    static final String ACCOUNT = "X-PowerPost-Account-Id";
    static final String SAW_WORKSPACE = "X-Mock-Saw-Workspace";
    static final String SAW_ACCOUNT = "X-Mock-Saw-Account";
    static final String KEY_MODE = "X-PowerPost-Key-Mode";
    static final String SAW_KEY_MODE = "X-Mock-Saw-Key-Mode";
    /** On every answer of the sandbox ({@code true}), so a client sees where its call went. */
    static final String SANDBOX = "X-Mock-Sandbox";

    private static final String API = "/api/v1";
    private static final String CALENDAR_ENTRY_PREFIX = API + "/calendar/entries/";
    private static final String NOT_FOUND = "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Resource not found\"}}";
    private static final String CREATED_AT = "2026-01-15T09:30:00Z";
    private static final String MEDIA_ID = "3f2b8c1e-5d7a-4e9b-9c2f-1a6d8e4b7c01";
    private static final int BALANCE = 47;

    /** Renders the JSON answer for a request whose body has already been drained. */
    @FunctionalInterface
    private interface Json {
        String render(HttpServerRequest request);
    }

    /** Whether this is the sandbox, which test keys reach: its answers say so. */
    private final boolean sandbox;

    private MockPowerPostUpstream(boolean sandbox) {
        this.sandbox = sandbox;
    }

    /**
     * Binds the mock and returns once it listens.
     *
     * <p>The bind itself waits for the socket, so call this from a startup thread, never from an
     * event loop. Dispose the returned server to stop it.
     *
     * @param host the address to bind, e.g. {@code 127.0.0.1}
     * @param port the port to bind; {@code 0} picks a free port (see {@link DisposableServer#port()})
     * @return the running server
     */
    public static DisposableServer start(String host, int port) {
        return start(host, port, false);
    }

    /**
     * Binds the mock, or with {@code sandbox} its sandbox: the same answers, each success with
     * {@code "sandbox":true} as its first field and every answer with {@value #SANDBOX}{@code : true}.
     */
    public static DisposableServer start(String host, int port, boolean sandbox) {
        return HttpServer.create()
                .host(host)
                .port(port)
                .route(new MockPowerPostUpstream(sandbox)::routes)
                .bindNow();
    }

    private void routes(HttpServerRoutes routes) {
        routes.get(API + "/account/credits", ok(request -> "{\"balance\":" + BALANCE + "}"))
                .post(API + "/media/upload", this::upload)
                .post(
                        API + "/content/generate",
                        ok(request -> started("generation_id", "gen_demo_02", "/content/generations/", 1)))
                .get(API + "/content/generations", ok(request -> generationList()))
                .get(API + "/content/generations/{id}", ok(request -> generation(id(request))))
                .post(
                        API + "/images/generate",
                        ok(request -> started("image_generation_id", "img_demo_01", "/images/generations/", 2)))
                .get(API + "/images/generations/{id}", ok(request -> imageGeneration(id(request))))
                .post(
                        API + "/videos/generate",
                        ok(request -> started("video_generation_id", "vid_demo_01", "/videos/generations/", 10)))
                .get(API + "/videos/generations/{id}", ok(request -> videoGeneration(id(request))))
                .post(API + "/posts", ok(request -> post("post_demo_02", "draft", "draft")))
                .get(API + "/posts/{id}", ok(request -> post(id(request), "published", "posted")))
                .post(API + "/posts/{id}/publish", ok(request -> publishing(id(request))))
                .get(API + "/post-items/{id}/analytics", ok(request -> analytics(id(request))))
                .get(API + "/calendar/entries", ok(request -> "{\"entries\":[" + calendarEntry("cal_demo_01") + "]}"))
                .post(API + "/calendar/entries", ok(request -> calendarEntry("cal_demo_02")))
                .get(API + "/calendar/entries/{id}", ok(request -> calendarEntry(id(request))))
                // HttpServerRoutes has no patch(...), so this route matches the path itself.
                .route(MockPowerPostUpstream::isCalendarEntryPatch, ok(request -> calendarEntry(id(request))))
                .delete(API + "/calendar/entries/{id}", ok(request -> "{\"success\":true}"))
                .route(request -> true, this::notFound);
    }

    private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> ok(Json json) {
        return (request, response) -> request.receive()
                .then()
                .then(Mono.defer(() -> reply(request, response, HttpResponseStatus.OK, json.render(request))));
    }

    private Publisher<Void> upload(HttpServerRequest request, HttpServerResponse response) {
        return request.receive()
                .map(ByteBuf::readableBytes)
                .reduce(0L, Long::sum)
                .flatMap(size -> reply(
                        request,
                        response,
                        HttpResponseStatus.OK,
                        "{\"media_id\":" + quote(MEDIA_ID) + ",\"size_bytes\":" + size + "}"));
    }

    private Publisher<Void> notFound(HttpServerRequest request, HttpServerResponse response) {
        return request.receive()
                .then()
                .then(Mono.defer(() -> reply(request, response, HttpResponseStatus.NOT_FOUND, NOT_FOUND)));
    }

    private Mono<Void> reply(
            HttpServerRequest request, HttpServerResponse response, HttpResponseStatus status, String json) {
        response.status(status).header(HttpHeaderNames.CONTENT_TYPE, "application/json");
        echo(request, response, WORKSPACE, SAW_WORKSPACE);
        echo(request, response, ACCOUNT, SAW_ACCOUNT);
        echo(request, response, KEY_MODE, SAW_KEY_MODE);
        String body = json;
        if (sandbox) {
            response.header(SANDBOX, "true");
            if (status.equals(HttpResponseStatus.OK) && json.startsWith("{")) {
                body = "{\"sandbox\":true," + json.substring(1);
            }
        }
        return response.sendString(Mono.just(body), StandardCharsets.UTF_8).then();
    }

    private static void echo(HttpServerRequest request, HttpServerResponse response, String from, String to) {
        String value = request.requestHeaders().get(from);
        if (value != null) {
            response.header(to, value);
        }
    }

    private static boolean isCalendarEntryPatch(HttpServerRequest request) {
        String path = request.fullPath();
        return HttpMethod.PATCH.equals(request.method())
                && path.startsWith(CALENDAR_ENTRY_PREFIX)
                && path.length() > CALENDAR_ENTRY_PREFIX.length()
                && path.indexOf('/', CALENDAR_ENTRY_PREFIX.length()) < 0;
    }

    /** The {@code {id}} path variable, or the last path segment on routes without a template. */
    private static String id(HttpServerRequest request) {
        String id = request.param("id");
        if (id != null) {
            return id;
        }
        String path = request.fullPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String started(String idField, String id, String statusPath, int creditsUsed) {
        return "{\"" + idField + "\":" + quote(id) + ",\"status\":\"pending\""
                + ",\"status_url\":" + quote(API + statusPath + id)
                + credits(creditsUsed) + "}";
    }

    private static String credits(int used) {
        return ",\"credits_used\":" + used + ",\"remaining_credits\":" + (BALANCE - used);
    }

    private static String generationList() {
        return "{\"data\":[" + generationSummary("gen_demo_01", "completed") + ","
                + generationSummary("gen_demo_02", "processing") + "],\"next_cursor\":null,\"has_more\":false}";
    }

    private static String generationSummary(String id, String status) {
        return "{\"id\":" + quote(id) + ",\"status\":" + quote(status)
                + ",\"post_types\":[\"instagram-feed\",\"linkedin-post\"],\"created_at\":" + quote(CREATED_AT) + "}";
    }

    private static String generation(String id) {
        return "{\"id\":" + quote(id) + ",\"status\":\"completed\""
                + ",\"post_types\":[\"instagram-feed\",\"linkedin-post\"]"
                + ",\"outputs\":{"
                + "\"instagram-feed\":{\"content\":\"Fresh beans, slow mornings. Our spring roast is here.\"},"
                + "\"linkedin-post\":{\"content\":\"We just launched our spring roast. Here is what we learned.\"}}"
                + ",\"created_at\":" + quote(CREATED_AT) + "}";
    }

    private static String imageGeneration(String id) {
        return "{\"id\":" + quote(id) + ",\"status\":\"completed\",\"images\":[{\"media_id\":" + quote(MEDIA_ID)
                + ",\"url\":\"https://cdn.example.com/demo/image-1.png\"}],\"created_at\":" + quote(CREATED_AT) + "}";
    }

    private static String videoGeneration(String id) {
        return "{\"id\":" + quote(id) + ",\"status\":\"completed\",\"video\":{\"media_id\":" + quote(MEDIA_ID)
                + ",\"url\":\"https://cdn.example.com/demo/video-1.mp4\",\"duration\":5,\"size\":\"landscape\"}"
                + ",\"created_at\":" + quote(CREATED_AT) + "}";
    }

    private static String post(String id, String status, String itemStatus) {
        return "{\"id\":" + quote(id) + ",\"status\":" + quote(status)
                + ",\"items\":[{\"id\":\"item_demo_01\",\"post_type\":\"instagram-feed\",\"status\":"
                + quote(itemStatus) + "}],\"created_at\":" + quote(CREATED_AT) + "}";
    }

    private static String publishing(String id) {
        return "{\"id\":" + quote(id) + ",\"status\":\"publishing\",\"status_url\":" + quote(API + "/posts/" + id)
                + credits(1) + "}";
    }

    private static String analytics(String postItemId) {
        return "{\"post_item_id\":" + quote(postItemId)
                + ",\"metrics\":{\"views\":1280,\"likes\":96,\"comments\":12,\"fetched_at\":\"2026-01-16T06:00:00Z\"}}";
    }

    private static String calendarEntry(String id) {
        return "{\"id\":" + quote(id) + ",\"title\":\"Spring roast launch\""
                + ",\"description\":\"Teaser on Instagram, announcement on LinkedIn.\""
                + ",\"scheduled_date\":\"2026-03-02\",\"scheduled_time\":\"09:30\""
                + ",\"platforms\":[\"instagram\",\"linkedin\"],\"created_at\":" + quote(CREATED_AT) + "}";
    }

    /** A JSON string literal for {@code value}, with quotes, backslashes and control characters escaped. */
    static String quote(String value) {
        StringBuilder json = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }
}
