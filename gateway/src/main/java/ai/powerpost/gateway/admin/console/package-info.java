/**
 * The operator console: server-rendered pages on the management port at {@code /console/}, signed
 * into with an operator token, every change made through {@code admin.Changes} (docs/console.md).
 */
@NullMarked
package ai.powerpost.gateway.admin.console;

import org.jspecify.annotations.NullMarked;
