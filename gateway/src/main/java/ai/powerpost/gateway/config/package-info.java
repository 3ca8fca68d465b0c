/**
 * Constraints shared by the {@code *Properties} records of every package: with {@code @Validated}
 * on a record, Spring Boot checks them when it binds the settings, and a bad setting stops the
 * start-up with one message naming the property, its value and the rule. Depends on nothing else
 * of the gateway.
 */
@NullMarked
package ai.powerpost.gateway.config;

import org.jspecify.annotations.NullMarked;
