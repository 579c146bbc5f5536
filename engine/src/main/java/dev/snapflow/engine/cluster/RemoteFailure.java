package dev.snapflow.engine.cluster;

import java.util.Objects;

/**
 * A failure that happened on another node, as it arrived here: the original exception's class
 * name, message, stack trace and causes, without the original class (which a node need not have,
 * and which is never instantiated from bytes).
 */
public final class RemoteFailure extends RuntimeException {

    private final String originalClassName;

    public RemoteFailure(String originalClassName, String message, RemoteFailure cause) {
        super(message, cause);
        this.originalClassName = Objects.requireNonNull(originalClassName, "originalClassName");
    }

    /** The class of the exception thrown on the other node. */
    public String originalClassName() {
        return originalClassName;
    }

    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return message == null ? originalClassName : originalClassName + ": " + message;
    }
}
