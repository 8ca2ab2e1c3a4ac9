package com.wechathub.support;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real database fault: PostgreSQL stalls the first INSERT into the inbox for followers whose
 * OpenID starts with a prefix, for longer than the hub's query timeout. Later inserts pass (the
 * sequence is not rolled back with the failed INSERT). Close to remove it.
 */
public final class InboxStall implements AutoCloseable {

    private final JdbcTemplate jdbc;
    private final String name;

    private InboxStall(JdbcTemplate jdbc, String name) {
        this.jdbc = jdbc;
        this.name = name;
    }

    public static InboxStall firstInsertOf(JdbcTemplate jdbc, String openIdPrefix) {
        String name = "test_stall_" + openIdPrefix.replaceAll("\\W", "");
        jdbc.execute("CREATE SEQUENCE IF NOT EXISTS " + name + "_once");
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION %1$s() RETURNS trigger AS $$
                BEGIN
                  IF NEW.open_id LIKE '%2$s%%' AND nextval('%1$s_once') = 1 THEN
                    PERFORM pg_sleep(4);
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(name, openIdPrefix));
        jdbc.execute("CREATE TRIGGER " + name + " BEFORE INSERT ON wechat_event FOR EACH ROW EXECUTE FUNCTION " + name + "()");
        return new InboxStall(jdbc, name);
    }

    @Override
    public void close() {
        jdbc.execute("DROP TRIGGER IF EXISTS " + name + " ON wechat_event");
        jdbc.execute("DROP FUNCTION IF EXISTS " + name + "()");
        jdbc.execute("DROP SEQUENCE IF EXISTS " + name + "_once");
    }
}
