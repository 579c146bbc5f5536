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
 * whenever they hold no enum; lists, sets and maps hash their elements the way their
 * {@code hashCode} contracts say, with enums by name. Keys whose hash cannot be made stable are
 * refused: arrays and classes that keep {@code Object.hashCode} (identity), and other classes with
 * a field that holds an enum (directly, in a collection, or in a record or class it holds), whose
 * own {@code hashCode} would mix in the enum's identity. A field declared as {@code Object} or a
 * type variable cannot be seen through: such a class is hashed by its own {@code hashCode}.
 */
public final class KeyHashing {

    /** How keys of one class hash; computed once per class. */
    private sealed interface Strategy permits OwnHashCode, EnumName, Tuple, RecordFields, ListElements, SetElements,
            MapEntries, Refused {
    }

    /** {@link java.util.List#hashCode()}'s definition. */
    private record ListElements() implements Strategy {
    }

    /** {@link java.util.Set#hashCode()}'s definition. */
    private record SetElements() implements Strategy {
    }

    /** {@link java.util.Map#hashCode()}'s definition. */
    private record MapEntries() implements Strategy {
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
        if (strategy instanceof ListElements) {
            int result = 1;
            for (Object element : (java.util.List<?>) key) {
                result = 31 * result + (element == null ? 0 : hash(element));
            }
            return result;
        }
        if (strategy instanceof SetElements) {
            int result = 0;
            for (Object element : (java.util.Set<?>) key) {
                result += element == null ? 0 : hash(element);
            }
            return result;
        }
        if (strategy instanceof MapEntries) {
            int result = 0;
            for (java.util.Map.Entry<?, ?> entry : ((java.util.Map<?, ?>) key).entrySet()) {
                result += (entry.getKey() == null ? 0 : hash(entry.getKey())) ^ (entry.getValue() == null ? 0 : hash(entry.getValue()));
            }
            return result;
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
        if (java.util.List.class.isAssignableFrom(type)) {
            return new ListElements();
        }
        if (java.util.Set.class.isAssignableFrom(type)) {
            return new SetElements();
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return new MapEntries();
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
            return new Refused("Keys of " + type.getName() + " are refused: its field '" + enumField + "' holds an enum, whose"
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

    /** The first instance field of {@code type} whose declared type holds an enum, or null. */
    private static String enumFieldOf(Class<?> type) {
        for (Field field : instanceFields(type)) {
            if (holdsEnum(field.getGenericType(), new java.util.HashSet<>())) {
                return field.getName();
            }
        }
        return null;
    }

    private static List<Field> instanceFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
            for (Field field : current.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    fields.add(field);
                }
            }
        }
        return fields;
    }

    /**
     * True if a value of declared type {@code type} holds an enum: it is one, names one among its
     * type arguments (a {@code List<Side>}), or is an array, record or class of ours with a field that
     * does. The JDK's own classes hold no enum of the user's beyond their type arguments.
     */
    private static boolean holdsEnum(java.lang.reflect.Type type, java.util.Set<Class<?>> seen) {
        if (type instanceof java.lang.reflect.ParameterizedType parameterized) {
            for (java.lang.reflect.Type argument : parameterized.getActualTypeArguments()) {
                if (holdsEnum(argument, seen)) {
                    return true;
                }
            }
            return holdsEnum(parameterized.getRawType(), seen);
        }
        if (type instanceof java.lang.reflect.WildcardType wildcard) {
            for (java.lang.reflect.Type bound : wildcard.getUpperBounds()) {
                if (holdsEnum(bound, seen)) {
                    return true;
                }
            }
            return false;
        }
        if (type instanceof java.lang.reflect.GenericArrayType array) {
            return holdsEnum(array.getGenericComponentType(), seen);
        }
        if (!(type instanceof Class<?> declared) || !seen.add(declared)) {
            return false;
        }
        if (declared.isEnum()) {
            return true;
        }
        if (declared.isArray()) {
            return holdsEnum(declared.getComponentType(), seen);
        }
        if (declared.isPrimitive() || declared.getName().startsWith("java.")) {
            return false;
        }
        for (Field field : instanceFields(declared)) {
            if (holdsEnum(field.getGenericType(), seen)) {
                return true;
            }
        }
        return false;
    }
}
