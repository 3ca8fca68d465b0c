@NullMarked
package ai.powerpost.gateway.admin;

import org.jspecify.annotations.NullMarked;
