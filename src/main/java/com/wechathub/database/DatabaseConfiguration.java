package com.wechathub.database;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Points the migrations and the connection pool at the same place ({@link InboxLocation}), and
 * gives each driver the short network waits WeChat's 5-second budget needs, unless the operator
 * set them: only Spring Boot's own keys are needed to run on PostgreSQL or MySQL/MariaDB.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProperties.class)
class DatabaseConfiguration {

    @Bean
    InboxLocation inboxLocation(Environment environment, DatabaseProperties database) {
        return InboxLocation.of(environment.getProperty("spring.datasource.url", ""), database);
    }

    @Bean
    FlywayConfigurationCustomizer inboxMigrations(InboxLocation location) {
        return flyway -> {
            flyway.locations(location.migrations());
            location.schema().ifPresent(schema -> flyway.schemas(schema).defaultSchema(schema).createSchemas(true));
        };
    }

    @Bean
    static BeanPostProcessor inboxConnections(ObjectProvider<InboxLocation> location) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource pool) {
                    configure(pool, location.getObject());
                }
                return bean;
            }
        };
    }

    static void configure(HikariDataSource pool, InboxLocation location) {
        location.schema().ifPresent(pool::setSchema);
        if (location.driver() == DatabaseDriver.POSTGRESQL) {
            // In seconds. A query timeout makes pgjdbc send a cancel over a new connection and wait
            // for it; when the network to the database is cut, that wait must stay inside WeChat's
            // 5 s too (the driver's defaults are 10 s each).
            defaultProperty(pool, "cancelSignalTimeout", "1");
            defaultProperty(pool, "connectTimeout", "2");
            defaultUser(pool, "postgres");
        } else if (location.isMySql()) {
            defaultProperty(pool, "connectTimeout", "2000"); // milliseconds for MariaDB's and MySQL's drivers
            defaultUser(pool, "root");
        }
    }

    private static void defaultProperty(HikariDataSource pool, String name, String value) {
        if (!pool.getDataSourceProperties().containsKey(name)) {
            pool.addDataSourceProperty(name, value);
        }
    }

    /** The servers' conventional local user when the operator gave none (a real deployment names its own). */
    private static void defaultUser(HikariDataSource pool, String user) {
        if (pool.getUsername() == null || pool.getUsername().isEmpty()) {
            pool.setUsername(user);
        }
    }
}
