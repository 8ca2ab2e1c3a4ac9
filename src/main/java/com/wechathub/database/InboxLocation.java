package com.wechathub.database;

import java.util.Locale;
import java.util.Optional;
import org.springframework.boot.jdbc.DatabaseDriver;

/**
 * Where the hub keeps its tables: the database of {@code spring.datasource.url} and, on a database
 * with schemas (PostgreSQL, H2), the schema {@code hub.database.schema} — by default the
 * connection's own default schema (PostgreSQL: {@code public}). The same setting places the
 * migrations (Flyway) and every statement (each pooled connection's schema), so they cannot
 * disagree. On MySQL/MariaDB a schema is a database: the tables live in the URL's database.
 */
public record InboxLocation(DatabaseDriver driver, Optional<String> schema) {

    static final String SCHEMA_KEY = "hub.database.schema";

    public InboxLocation {
        if (schema.isPresent() && schemaIsDatabase(driver)) {
            throw new IllegalStateException(SCHEMA_KEY + "=" + schema.get() + " does not apply to " + driver
                    + ": there a schema is a database, and the hub's tables live in the database of spring.datasource.url."
                    + " Remove " + SCHEMA_KEY + ", or put that database in the URL.");
        }
    }

    static InboxLocation of(String url, DatabaseProperties database) {
        String schema = database.schema() == null ? "" : database.schema().trim();
        return new InboxLocation(DatabaseDriver.fromJdbcUrl(url), schema.isEmpty() ? Optional.empty() : Optional.of(schema));
    }

    public boolean isMySql() {
        return schemaIsDatabase(driver);
    }

    private static boolean schemaIsDatabase(DatabaseDriver driver) {
        return driver == DatabaseDriver.MYSQL || driver == DatabaseDriver.MARIADB;
    }

    /** Flyway's scripts for this database: MySQL/MariaDB's types differ from PostgreSQL's (which H2 emulates). */
    String migrations() {
        return isMySql() ? "classpath:db/migration-mysql" : "classpath:db/migration";
    }

    /** A column name that is a reserved word somewhere (MySQL: {@code precision}), quoted for this database. */
    public String quote(String column) {
        return isMySql() ? "`" + column + "`" : "\"" + column.toLowerCase(Locale.ROOT) + "\"";
    }
}
