package com.wechathub.database;

import org.springframework.dao.DataAccessException;

/** What went wrong with the database, in the driver's own words, as one line for a log or health. */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    public static String reason(DataAccessException e) {
        String message = String.valueOf(e.getMostSpecificCause().getMessage());
        // MariaDB's driver starts with the connection number, which differs from one pooled connection to the next
        message = message.replaceFirst("^\\(conn=\\d+\\) ", "");
        return message.lines().findFirst().orElse("");
    }
}
