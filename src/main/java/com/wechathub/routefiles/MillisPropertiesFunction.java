package com.wechathub.routefiles;

import org.apache.camel.spi.PropertiesFunction;
import org.springframework.boot.convert.DurationStyle;

/**
 * {@code {{millis:hub.reply.max-wait}}} in a route file: the duration that key holds, as Spring
 * Boot reads it ({@code 45s}, {@code 1m}, {@code PT45S}, {@code 45000}), in milliseconds — what
 * camel-http's timeouts take. A route can then use a duration the hub itself uses instead of a
 * second key in milliseconds that has to be kept in step with it. Camel finds the function by its
 * name (META-INF/services/org/apache/camel/properties-function/millis), in the running routes and
 * in {@code --validate-routes} alike.
 */
public final class MillisPropertiesFunction implements PropertiesFunction {

    @Override
    public String getName() {
        return "millis";
    }

    /** The remainder names a property: Camel looks it up and hands its value to {@link #apply}. */
    @Override
    public boolean lookupFirst(String remainder) {
        return true;
    }

    /** Null when the property is not set: Camel then says which one is missing. */
    @Override
    public String apply(String duration) {
        return duration == null ? null : Long.toString(DurationStyle.detectAndParse(duration.trim()).toMillis());
    }
}
