package com.wechathub.database;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where in the database of {@code spring.datasource.url} the hub keeps its tables ({@link InboxLocation}).
 *
 * @param schema PostgreSQL (and H2): the schema of the hub's tables, for the migrations and every statement alike,
 *               created when missing; empty: the connection's default schema (PostgreSQL: public). MySQL/MariaDB
 *               have no schemas inside a database: leave it empty, the tables live in the URL's database
 */
@ConfigurationProperties("hub.database")
public record DatabaseProperties(@DefaultValue("") String schema) {
}
