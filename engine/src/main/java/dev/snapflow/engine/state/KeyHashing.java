package dev.snapflow.engine.state;

import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.Tuple3;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * The hash of a key that decides its key group: the same in every JVM, so that a savepoint
 * restored by another process, or a key sent to another node, lands where its state is.
 *
 * <p>Most keys use their own {@code hashCode}, which for strings, boxed numbers, tuples and records
 * of those is defined by their values. An enum's {@code hashCode} is its identity, different in
 * every JVM, so an enum hashes by its name, and tuples and records hash their fields the way
 * records do ({@code 31 * h + field}) with enums by name, which equals their {@code hashCode}
 * whenever they hold no enum. Keys whose hash cannot be made stable are refused: arrays and classes
 * that keep {@code Object.hashCode} (identity), and other classes with enum fields, whose own
 * {@code hashCode} would mix in the enum's identity.
 */
public final class KeyHashing {

    /** How keys of one class hash; computed once per class. */
    private sealed interface Strategy permits OwnHashCode, EnumName, Tuple, RecordFields, Refused {
    }

    private record OwnHashCode() implements Strategy {
    }

    private record EnumName() implements Strategy {
    }

    private record Tuple() implements Strategy {
    }

    private record RecordFields(List<MethodHandle> accessors) implements Strategy {
    }

    private record Refused(String reason) implements Strategy {
    }

    private static final Strategy OWN_HASH_CODE = new OwnHashCode();

    private static final ClassValue<Strategy> STRATEGIES = new ClassValue<>() {
        @Override
        protected Strategy computeValue(Class<?> type) {
            return strategyFor(type);
        }
    };

    private KeyHashing() {
    }

    /**
     * The stable hash of {@code key}.
     *
     * @throws IllegalArgumentException if keys of its class cannot hash the same in every JVM
     */
    public static int hash(Object key) {
        if (key instanceof Long || key instanceof String || key instanceof Integer) {
            return key.hashCode();
        }
        Strategy strategy = STRATEGIES.get(key.getClass());
        if (strategy instanceof OwnHashCode) {
            return key.hashCode();
        }
        if (strategy instanceof EnumName) {
            return ((Enum<?>) key).name().hashCode();
        }
        if (strategy instanceof Tuple) {
            if (key instanceof Tuple2<?, ?> tuple) {
                return 31 * hash(tuple.f0()) + hash(tuple.f1());
            }
            Tuple3<?, ?, ?> tuple = (Tuple3<?, ?, ?>) key;
            return 31 * (31 * hash(tuple.f0()) + hash(tuple.f1())) + hash(tuple.f2());
        }
        if (strategy instanceof RecordFields fields) {
            return hashFields(key, fields.accessors());
        }
        throw new IllegalArgumentException(((Refused) strategy).reason());
    }

    /**
     * Checks that keys of {@code type} hash the same in every JVM.
     *
     * @throws IllegalArgumentException naming the type, why, and what to use instead
     */
    public static void checkKeyType(Class<?> type) {
        if (STRATEGIES.get(type) instanceof Refused refused) {
            throw new IllegalArgumentException(refused.reason());
        }
    }

    private static int hashFields(Object key, List<MethodHandle> accessors) {
        int result = 0;
        for (MethodHandle accessor : accessors) {
            Object field;
            try {
                field = accessor.invoke(key);
            } catch (Throwable e) {
                throw new IllegalStateException("Cannot read a component of key " + key.getClass().getName(), e);
            }
            result = 31 * result + (field == null ? 0 : hash(field));
        }
        return result;
    }

    private static Strategy strategyFor(Class<?> type) {
        if (type.isArray()) {
            return new Refused("Keys of " + type.getTypeName() + " are refused: arrays hash by identity, so equal arrays"
                    + " land in different key groups. Use a String, a List, a Tuple or a record instead.");
        }
        if (Enum.class.isAssignableFrom(type)) {
            return new EnumName();
        }
        if (type == Tuple2.class || type == Tuple3.class) {
            return new Tuple();
        }
        if (!overridesHashCode(type)) {
            return new Refused("Keys of " + type.getName() + " are refused: the class does not override hashCode, so equal"
                    + " keys land in different key groups and their state is not found again. Give it equals and hashCode"
                    + " over its fields, or make it a record.");
        }
        if (type.isRecord()) {
            return mayHoldEnum(type) ? new RecordFields(accessors(type)) : OWN_HASH_CODE;
        }
        String enumField = enumFieldOf(type);
        if (enumField != null) {
            return new Refused("Keys of " + type.getName() + " are refused: its field '" + enumField + "' is an enum, whose"
                    + " hashCode differs from one JVM to the next, so its state would not be found after a restore in"
                    + " another process. Make the key a record (Snapflow hashes enums in records by name), or key by the"
                    + " enum's name().");
        }
        return OWN_HASH_CODE;
    }

    private static boolean overridesHashCode(Class<?> type) {
        try {
            return type.getMethod("hashCode").getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** True if a component's declared type could hold an enum: an enum, an interface, Object, a generic or a record. */
    private static boolean mayHoldEnum(Class<?> record) {
        for (RecordComponent component : record.getRecordComponents()) {
            Class<?> type = component.getType();
            boolean concreteValue = type.isPrimitive() || type == String.class
                    || (Number.class.isAssignableFrom(type) && Modifier.isFinal(type.getModifiers()))
                    || type == Boolean.class || type == Character.class;
            if (!concreteValue) {
                return true;
            }
        }
        return false;
    }

    private static List<MethodHandle> accessors(Class<?> record) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        List<MethodHandle> accessors = new ArrayList<>();
        for (RecordComponent component : record.getRecordComponents()) {
            try {
                java.lang.reflect.Method method = component.getAccessor();
                method.setAccessible(true);
                accessors.add(lookup.unreflect(method).asType(MethodType.methodType(Object.class, Object.class)));
            } catch (IllegalAccessException | RuntimeException e) {
                throw new IllegalArgumentException("Keys of " + record.getName() + " are refused: component '"
                        + component.getName() + "' cannot be read to hash it (" + e.getMessage() + ")", e);
            }
        }
        return List.copyOf(accessors);
    }

    private static String enumFieldOf(Class<?> type) {
        for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
            for (Field field : current.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) && field.getType().isEnum()) {
                    return field.getName();
                }
            }
        }
        return null;
    }
}
