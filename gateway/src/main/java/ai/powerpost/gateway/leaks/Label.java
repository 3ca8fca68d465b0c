package ai.powerpost.gateway.leaks;

/** GitHub's verdict on a reported token, as its partner format names it. */
enum Label {
    /** A key of ours that exists (live or test): revoked, or flagged. */
    TRUE_POSITIVE("true_positive"),
    /** Not a key of ours: malformed, forged (no valid tag, not an untagged key), or unknown. */
    FALSE_POSITIVE("false_positive");

    private final String wireName;

    Label(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }
}
