@NullMarked
package ai.powerpost.gateway.admin.audit;

import org.jspecify.annotations.NullMarked;
