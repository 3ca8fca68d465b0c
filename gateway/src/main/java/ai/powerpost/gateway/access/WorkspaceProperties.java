package ai.powerpost.gateway.access;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The workspace rule ({@code gateway.workspaces.*}).
 *
 * @param verifyOwnership whether the account must own the {@code X-Workspace-Id} it sends (recorded in Redis)
 */
@Validated
@ConfigurationProperties("gateway.workspaces")
public record WorkspaceProperties(@DefaultValue("true") boolean verifyOwnership) {}
