package ai.powerpost.gateway.access;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The workspace rule ({@code gateway.workspaces.*}).
 *
 * @param verifyOwnership whether the account must own the {@code X-Workspace-Id} it sends (recorded in Redis)
 */
@ConfigurationProperties("gateway.workspaces")
public record WorkspaceProperties(@DefaultValue("true") boolean verifyOwnership) {
}
