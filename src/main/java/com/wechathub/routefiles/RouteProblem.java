package com.wechathub.routefiles;

/**
 * One thing wrong with one route file, printed the way compilers do so editors can jump to it:
 * {@code routes/wechat-reply.camel.yaml:12: message}. A line of 0 means the line is not known.
 */
record RouteProblem(String file, int line, String message) {

    static RouteProblem at(RouteFile file, int line, String message) {
        return new RouteProblem(file.location(), line, message);
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
