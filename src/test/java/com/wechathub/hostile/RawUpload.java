package com.wechathub.hostile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A request body sent by hand over a socket, chunked, as a hostile client sends it: as much as it
 * likes, as slowly as it likes. The answer's status line is read while the body is still being
 * sent, so a server that answers early and closes the connection is heard.
 */
final class RawUpload {

    /** The answer: its status (-1 when the connection closed without one) and when it came. */
    record Answer(int status, String reason, Duration after) {
    }

    private RawUpload() {
    }

    /** Sends {@code total} bytes in chunks of {@code chunk}, pausing {@code pause} between chunks, then the last chunk. */
    static Answer post(int port, String pathAndQuery, long total, int chunk, Duration pause, Duration wait) throws Exception {
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) wait.toMillis());
            // A thread of its own: the common pool has one thread on a 2-core machine, and the HTTP
            // client of the valid pushes needs it too.
            FutureTask<String[]> statusLine = new FutureTask<>(() -> readAnswer(socket));
            Thread reader = new Thread(statusLine, "raw-upload-answer");
            reader.setDaemon(true);
            reader.start();
            OutputStream out = socket.getOutputStream();
            byte[] data = new byte[chunk];
            Arrays.fill(data, (byte) 'A');
            try {
                out.write(("POST " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                for (long sent = 0; sent < total && !statusLine.isDone(); sent += chunk) {
                    int n = (int) Math.min(chunk, total - sent);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(data, 0, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (!pause.isZero()) {
                        out.flush();
                        try {
                            statusLine.get(pause.toMillis(), TimeUnit.MILLISECONDS); // the client's pace, or the answer
                        } catch (TimeoutException notYet) {
                            // send the next chunk
                        }
                    }
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closedByServer) {
                // the server stopped reading and closed: its answer, if any, is in statusLine
            }
            String[] answer = statusLine.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return new Answer(Integer.parseInt(answer[0]), answer[1], Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Status and body of the answer, or {-1, why} when there was none. */
    private static String[] readAnswer(Socket socket) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            if (status == null) {
                return new String[] {"-1", "closed without an answer"};
            }
            int length = -1;
            for (String header; (header = in.readLine()) != null && !header.isEmpty(); ) {
                if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).trim());
                }
            }
            StringBuilder body = new StringBuilder();
            char[] buffer = new char[1024];
            try {
                for (int n; (length < 0 || body.length() < length) && body.length() < 4096 && (n = in.read(buffer)) != -1; ) {
                    body.append(buffer, 0, n);
                }
            } catch (IOException noMore) {
                // a body without a length, on a connection kept open: what came is the answer
            }
            return new String[] {status.split(" ", 3)[1], body.toString()};
        } catch (IOException e) {
            return new String[] {"-1", e.toString()};
        }
    }
}
