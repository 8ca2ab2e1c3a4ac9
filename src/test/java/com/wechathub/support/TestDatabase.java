package com.wechathub.support;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The machine's real database servers, used as an operator uses them: a database of its own,
 * named in a plain JDBC URL (no schema parameter). Tests create their databases fresh and drop
 * them afterwards; they read them over direct connections.
 */
public enum TestDatabase {

    POSTGRES("jdbc:postgresql://127.0.0.1:5432/", "postgres", "postgres"),
    MARIADB("jdbc:mariadb://127.0.0.1:3306/", "root", "mysql");

    private final String server;
    private final String user;
    private final String adminDatabase;

    TestDatabase(String server, String user, String adminDatabase) {
        this.server = server;
        this.user = user;
        this.adminDatabase = adminDatabase;
    }

    public String url(String database) {
        return server + database;
    }

    public String user() {
        return user;
    }

    /** The arguments that point a hub at {@code database}: Spring Boot's own keys only. */
    public List<String> hubArgs(String database) {
        return List.of("--spring.datasource.url=" + url(database), "--spring.datasource.username=" + user);
    }

    /** Connects to {@code database}, a new connection per statement (so the database can be dropped between them). */
    public JdbcTemplate jdbc(String database) {
        return new JdbcTemplate(new DriverManagerDataSource(url(database), user, ""));
    }

    /** Creates the database unless it exists. */
    public void ensure(String database) {
        admin(jdbc -> {
            if (jdbc.queryForList(this == POSTGRES ? "SELECT 1 FROM pg_database WHERE datname = ?"
                    : "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", database).isEmpty()) {
                jdbc.execute("CREATE DATABASE " + database);
            }
        });
    }

    /** A new, empty database. */
    public void recreate(String database) {
        drop(database);
        admin(jdbc -> jdbc.execute("CREATE DATABASE " + database));
    }

    public void drop(String database) {
        admin(jdbc -> jdbc.execute("DROP DATABASE IF EXISTS " + database + (this == POSTGRES ? " WITH (FORCE)" : "")));
    }

    private void admin(java.util.function.Consumer<JdbcTemplate> work) {
        SingleConnectionDataSource admin = new SingleConnectionDataSource(url(adminDatabase), user, "", false);
        try {
            work.accept(new JdbcTemplate(admin));
        } finally {
            admin.destroy();
        }
    }

    /** Every INSERT into wechat_event of {@code jdbc}'s database takes {@code millis} longer: a slow disk. */
    public void slowInserts(JdbcTemplate jdbc, int millis) {
        if (this == POSTGRES) {
            jdbc.execute("CREATE FUNCTION slow_insert() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(" + millis / 1000.0
                    + "); RETURN NEW; END $$ LANGUAGE plpgsql");
            jdbc.execute("CREATE TRIGGER slow_insert BEFORE INSERT ON wechat_event FOR EACH ROW EXECUTE FUNCTION slow_insert()");
        } else {
            jdbc.execute("CREATE TRIGGER slow_insert BEFORE INSERT ON wechat_event FOR EACH ROW SET @slept = SLEEP(" + millis / 1000.0 + ")");
        }
    }
}
