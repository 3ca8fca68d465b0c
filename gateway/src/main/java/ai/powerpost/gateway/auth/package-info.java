@NullMarked
package ai.powerpost.gateway.auth;

import org.jspecify.annotations.NullMarked;
