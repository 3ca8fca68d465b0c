/**
 * Leaked keys, reported from outside on the public port (docs/security.md, "Leaked keys"): GitHub's
 * secret-scanning partner format ({@code POST /secret-scanning/github}, signed by GitHub) and a
 * public "I found this key" report ({@code POST /secret-scanning/report}). A reported key that exists
 * is revoked at once (or only recorded, {@code gateway.leaks.action=flag}) through the management
 * API's change unit ({@code admin.Changes}), audited with a system actor. Each endpoint is off
 * unless switched on; off, its path is 404 like any unknown one.
 *
 * <p>An intake, like {@code admin}: it uses the pipeline, the model and the management API's change
 * unit and key store; nothing depends on it.
 */
@NullMarked
package ai.powerpost.gateway.leaks;

import org.jspecify.annotations.NullMarked;
