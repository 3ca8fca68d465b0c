package ai.powerpost.gateway.auth;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** The 14 scopes of PowerPost's API: the closed set that keys hold and routes require. */
public enum Scope {
    ACCOUNT_READ("account:read"),
    CONTENT_READ("content:read"),
    CONTENT_GENERATE("content:generate"),
    IMAGES_READ("images:read"),
    IMAGES_GENERATE("images:generate"),
    VIDEOS_READ("videos:read"),
    VIDEOS_GENERATE("videos:generate"),
    MEDIA_WRITE("media:write"),
    POSTS_READ("posts:read"),
    POSTS_WRITE("posts:write"),
    POSTS_PUBLISH("posts:publish"),
    CALENDAR_READ("calendar:read"),
    CALENDAR_WRITE("calendar:write"),
    ANALYTICS_READ("analytics:read");

    private static final Map<String, Scope> BY_WIRE_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(Scope::wireName, Function.identity()));

    /** Full access: every scope. */
    public static final Set<Scope> FULL_ACCESS = Collections.unmodifiableSet(EnumSet.allOf(Scope.class));
    /** Draft only: every scope except publishing. */
    public static final Set<Scope> DRAFT_ONLY =
            Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(POSTS_PUBLISH)));
    /** Read only: the {@code :read} scopes. */
    public static final Set<Scope> READ_ONLY = Collections.unmodifiableSet(EnumSet.copyOf(
            Stream.of(values()).filter(s -> s.wireName.endsWith(":read")).toList()));

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    /** The name as PowerPost writes it, for example {@code posts:publish}. */
    public String wireName() {
        return wireName;
    }

    /** The scope of that wire name, or null when it is not one of the 14. */
    public static @Nullable Scope fromWireName(String name) {
        return BY_WIRE_NAME.get(name);
    }

    /** The scopes of a preset name ({@code full_access}, {@code draft_only}, {@code read_only}), or null. */
    public static @Nullable Set<Scope> preset(String name) {
        return switch (name) {
            case "full_access" -> FULL_ACCESS;
            case "draft_only" -> DRAFT_ONLY;
            case "read_only" -> READ_ONLY;
            default -> null;
        };
    }

    /** The scopes of a key from PowerPost's earlier model ({@code read_write}, {@code read_draft}), or null. */
    public static @Nullable Set<Scope> legacyType(String type) {
        return switch (type) {
            case "read_write" -> FULL_ACCESS;
            case "read_draft" -> DRAFT_ONLY;
            default -> null;
        };
    }

    /** Space-separated wire names, in declaration order. */
    public static String join(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).collect(Collectors.joining(" "));
    }
}
