@NullMarked
package ai.powerpost.gateway.admin.keys;

import org.jspecify.annotations.NullMarked;
