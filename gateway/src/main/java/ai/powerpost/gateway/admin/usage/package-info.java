/** Usage per key and unexpected activity on the management API: reads only (role viewer, not audited). */
@NullMarked
package ai.powerpost.gateway.admin.usage;

import org.jspecify.annotations.NullMarked;
