/**
 * The shape of the request pipeline: the request's one typed state ({@link ai.powerpost.gateway.pipeline.RequestState}),
 * the stages in the order they run ({@link ai.powerpost.gateway.pipeline.Stage}), the shape of a check
 * after authentication ({@link ai.powerpost.gateway.pipeline.RouteCheck}) and the one error writer.
 * It depends on the model packages (errors, auth's key records, routing's table) and on no stage.
 */
@NullMarked
package ai.powerpost.gateway.pipeline;

import org.jspecify.annotations.NullMarked;
