package com.wechathub.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that boots the hub against the real servers (Redis, PostgreSQL, MariaDB, RabbitMQ), starts
 * hubs of its own or drives the browser: it runs in {@code mvn verify} (Failsafe), not in
 * {@code mvn test}, which runs only what needs no server (docs/testing.md).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(IntegrationTier.TAG)
public @interface IntegrationTier {

    String TAG = "integration";
}
