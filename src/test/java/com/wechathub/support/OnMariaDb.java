package com.wechathub.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * Runs a {@link ProdTestProperties} suite on MariaDB instead of PostgreSQL: the same database
 * name, a plain jdbc:mariadb URL and Spring Boot's own keys, as an operator would write them.
 * Every suite marked so shares one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@TestPropertySource(properties = {
        "spring.datasource.url=jdbc:mariadb://127.0.0.1:3306/" + ProdTestProperties.DATABASE,
        "spring.datasource.username=root",
        "hub.database.schema=",
})
public @interface OnMariaDb {
}
