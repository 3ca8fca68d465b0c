package ai.powerpost.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ApiErrorException;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * The one mapping from escaped exceptions to errors: an upstream answer the HTTP client could not
 * take is a 502 by its type; a client's own refused body keeps its error, whatever carries it; a
 * bare JDK exception is never taken for the upstream's.
 */
class JsonErrorWebExceptionHandlerTest {

    static Stream<Throwable> unreadableAnswers() {
        return Stream.of(
                new TooLongHttpHeaderException("HTTP header is larger than 8192 bytes."),
                new TooLongHttpLineException("An HTTP line is larger than 4096 bytes."),
                new ContentLengthNotAllowedException("Content-Length and Transfer-Encoding"),
                new CorruptedFrameException("invalid chunk"),
                // what proxy.UpstreamDecoderFailures makes of a status code or chunk size that is not a number
                new DecoderException(new NumberFormatException("For input string: \"abc\"")),
                new DecoderException(new IllegalArgumentException("Multiple Content-Length values found")),
                new PrematureChannelClosureException("Connection closed before received headers"),
                new IllegalStateException(new DecoderException("wrapped once")));
    }

    @ParameterizedTest
    @MethodSource("unreadableAnswers")
    void upstreamAnswerTheClientCouldNotTakeIs502BadGateway(Throwable ex) {
        assertThat(JsonErrorWebExceptionHandler.toApiError(ex)).isEqualTo(ApiError.BAD_GATEWAY);
    }

    @Test
    void connectionFailuresStay502() {
        assertThat(JsonErrorWebExceptionHandler.toApiError(new ConnectException("refused")))
                .isEqualTo(ApiError.BAD_GATEWAY);
        assertThat(JsonErrorWebExceptionHandler.toApiError(new IOException("reset")))
                .isEqualTo(ApiError.BAD_GATEWAY);
    }

    @Test
    void aClientsOwnErrorIsMappedFirstWhateverCarriesIt() {
        ApiError timeout = ApiError.of(HttpStatus.REQUEST_TIMEOUT, "VALIDATION_ERROR", "Request body timed out");

        assertThat(JsonErrorWebExceptionHandler.toApiError(new ApiErrorException(timeout)))
                .isEqualTo(timeout);
        assertThat(JsonErrorWebExceptionHandler.toApiError(new DecoderException(new ApiErrorException(timeout))))
                .isEqualTo(timeout);
    }

    @Test
    void bareJdkExceptionsAreNeverTakenForTheUpstreamsAnswer() {
        assertThat(JsonErrorWebExceptionHandler.toApiError(new NumberFormatException("x")))
                .isEqualTo(ApiError.INTERNAL_ERROR);
        assertThat(JsonErrorWebExceptionHandler.toApiError(new IllegalArgumentException("x")))
                .isEqualTo(ApiError.INTERNAL_ERROR);
        assertThat(JsonErrorWebExceptionHandler.toApiError(new IllegalStateException("x")))
                .isEqualTo(ApiError.INTERNAL_ERROR);
    }

    @Test
    void statusExceptionsKeepTheirStatus() {
        assertThat(JsonErrorWebExceptionHandler.toApiError(new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT)))
                .isEqualTo(ApiError.GATEWAY_TIMEOUT);
    }

    @Test
    void a503IsTheUpstreamsUnavailabilityNeverTheKeyChecks() {
        ApiError error =
                JsonErrorWebExceptionHandler.toApiError(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE));

        assertThat(error).isEqualTo(ApiError.UPSTREAM_UNAVAILABLE).isNotEqualTo(ApiError.AUTH_UNAVAILABLE);
        assertThat(error.code()).isEqualTo("SERVICE_UNAVAILABLE");
        assertThat(error.message()).isEqualTo("The upstream service is temporarily unavailable, try again later");
        assertThat(error.retryAfter()).isEqualTo(5L);
    }

    @Test
    void whatIsLoggedIsClassesNeverMessages() {
        String logged = JsonErrorWebExceptionHandler.classes(
                new DecoderException(new IllegalArgumentException("upstream 10.0.0.7:8080 said: secret")));

        assertThat(logged)
                .isEqualTo("io.netty.handler.codec.DecoderException caused by java.lang.IllegalArgumentException");
        assertThat(JsonErrorWebExceptionHandler.classes(new ConnectException("10.0.0.7")))
                .isEqualTo("java.net.ConnectException");
    }
}
