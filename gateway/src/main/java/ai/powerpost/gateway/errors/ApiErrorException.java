package ai.powerpost.gateway.errors;

/**
 * Carries an {@link ApiError} through a reactive pipeline where a filter cannot answer directly
 * (for example from inside a request body stream). Stackless: it is a value, not a crash.
 */
public final class ApiErrorException extends RuntimeException {

    private final ApiError error;

    public ApiErrorException(ApiError error) {
        super(error.code(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
