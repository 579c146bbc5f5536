package dev.snapflow.engine.runtime.subtask;

/**
 * A user function (or source, or sink) threw; carries the operator's name so that the job's
 * failure names it. The user's exception is the cause.
 */
public final class UserFunctionException extends RuntimeException {

    private final String operatorName;

    public UserFunctionException(String operatorName, Throwable cause) {
        super("Operator '" + operatorName + "' threw " + cause, cause);
        this.operatorName = operatorName;
    }

    public String operatorName() {
        return operatorName;
    }
}
