package ai.powerpost.gateway.leaks;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * GitHub's secret-scanning signing keys, fetched from {@code gateway.leaks.github.keys-url}
 * ({@code {"public_keys":[{"key_identifier","key" (PEM),"is_current"}]}}) without blocking, and kept:
 * <ul>
 * <li>fetched on first need, and again when a signature names a key the set does not hold (GitHub
 *     rotated its keys), but never more often than {@code keys-refetch-interval}: anyone can send an
 *     unknown identifier, and must not be able to make the gateway hammer the URL (requests in the
 *     meantime share the fetch in flight, or its result);</li>
 * <li>when a fetch fails (unreachable, not 200, not the format, no usable key), the last good set
 *     stays in force: GitHub's keys rotate seldom, its API may be briefly down.</li>
 * </ul>
 * Only EC keys on P-256 are taken (GitHub signs with ECDSA P-256, SHA-256).
 */
final class GithubPublicKeys {

    /** GitHub's list of its secret-scanning signing keys. */
    static final String GITHUB_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning";

    private static final Logger log = LoggerFactory.getLogger(GithubPublicKeys.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The list is a few keys of a few hundred bytes each: anything much larger is not it. */
    private static final int MAX_LIST_BYTES = 256 * 1024;

    private final HttpClient http;
    private final String url;
    private final long refetchNanos;
    private final LeakMeters meters;
    private volatile Map<String, PublicKey> keys = Map.of();
    private final AtomicReference<@Nullable Attempt> last = new AtomicReference<>();

    /** A fetch, started at {@code startedNanos}: its result (cached) is the set in force after it. */
    private record Attempt(long startedNanos, Mono<Map<String, PublicKey>> result) {}

    GithubPublicKeys(HttpClient http, String url, Duration refetchInterval, Duration timeout, LeakMeters meters) {
        this.http = http.responseTimeout(timeout).followRedirect(false);
        this.url = url;
        this.refetchNanos = refetchInterval.toNanos();
        this.meters = meters;
    }

    /** The key named {@code identifier}; empty when GitHub's list (fetched again if due) does not hold it. */
    Mono<PublicKey> key(String identifier) {
        PublicKey known = keys.get(identifier);
        if (known != null) {
            return Mono.just(known);
        }
        return refreshed().mapNotNull(set -> set.get(identifier));
    }

    /** Whether {@code signature} (DER, as GitHub sends it) is {@code key}'s over {@code body}. */
    static boolean verifies(PublicKey key, byte[] body, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(body);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a signature that is not DER, or not of this curve, verifies nothing
        }
    }

    /** The set after a fetch, started now unless one started less than the refetch interval ago. */
    private Mono<Map<String, PublicKey>> refreshed() {
        while (true) {
            Attempt prior = last.get();
            long now = System.nanoTime();
            if (prior != null && now - prior.startedNanos() < refetchNanos) {
                return prior.result();
            }
            Attempt next = new Attempt(now, fetch().cache());
            if (last.compareAndSet(prior, next)) {
                return next.result();
            }
        }
    }

    private Mono<Map<String, PublicKey>> fetch() {
        return http.headers(h -> h.set(HttpHeaderNames.ACCEPT, "application/json"))
                .get()
                .uri(url)
                .response((response, body) -> response.status().code() == 200
                        ? body.asByteArray()
                        : Mono.error(new KeyListUnavailable(
                                "answered " + response.status().code())))
                .reduceWith(ByteArrayOutputStream::new, (out, chunk) -> {
                    if (out.size() + chunk.length > MAX_LIST_BYTES) {
                        throw new KeyListUnavailable("answered more than " + MAX_LIST_BYTES + " bytes");
                    }
                    out.writeBytes(chunk);
                    return out;
                })
                .map(out -> parse(out.toByteArray()))
                .doOnNext(set -> {
                    keys = set;
                    meters.keyListFetched(true);
                    log.info("GitHub's public signature-verification keys for leak reports: {} fetched", set.size());
                })
                .onErrorResume(e -> {
                    meters.keyListFetched(false);
                    Map<String, PublicKey> kept = keys;
                    log.warn(
                            "GitHub secret-scanning keys could not be fetched ({}); keeping the last good set of {}",
                            e instanceof KeyListUnavailable
                                    ? e.getMessage()
                                    : e.getClass().getSimpleName(),
                            kept.size());
                    return Mono.just(kept);
                });
    }

    /** The usable keys of a list, by identifier; an error when the list holds none. */
    static Map<String, PublicKey> parse(byte[] json) {
        if (json.length > MAX_LIST_BYTES) {
            throw new KeyListUnavailable("answered " + json.length + " bytes, more than a key list");
        }
        Map<String, Object> list;
        try {
            list = JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
        } catch (RuntimeException e) {
            throw new KeyListUnavailable("answered something other than JSON");
        }
        Map<String, PublicKey> set = new HashMap<>();
        if (list != null && list.get("public_keys") instanceof List<?> entries) {
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> fields
                        && fields.get("key_identifier") instanceof String id
                        && fields.get("key") instanceof String pem) {
                    PublicKey key = p256(pem);
                    if (key != null && isIdentifier(id)) {
                        set.put(id, key);
                    }
                }
            }
        }
        if (set.isEmpty()) {
            throw new KeyListUnavailable("answered no usable key");
        }
        return Map.copyOf(set);
    }

    /** An identifier as GitHub makes them (hex of a SHA-256): bounded, and safe to look up. */
    static boolean isIdentifier(String id) {
        if (id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }

    /** The EC P-256 public key of a PEM ({@code -----BEGIN PUBLIC KEY-----}), or null. */
    static @Nullable PublicKey p256(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            PublicKey key = KeyFactory.getInstance("EC")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
            return key instanceof ECPublicKey ec
                            && ec.getParams().getCurve().getField().getFieldSize() == 256
                    ? key
                    : null;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "GithubPublicKeys[" + url + ", refetch at most every " + Duration.ofNanos(refetchNanos) + "]";
    }

    /** The list could not be had; its message says why, never more than a status or a size. */
    static final class KeyListUnavailable extends RuntimeException {
        KeyListUnavailable(String message) {
            super(message, null, false, false);
        }
    }
}
