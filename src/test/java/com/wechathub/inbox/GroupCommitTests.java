package com.wechathub.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.HubIntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit on the real database: rows handed over while the writer is busy are committed in
 * one transaction, each caller returning only after that commit; a batch that one row breaks is
 * rolled back whole and each row written alone; a stalled database fails each push of the batch.
 * The writer here has no thread of its own: the test runs each batch ({@link GroupCommit#commitNext}).
 */
class GroupCommitTests extends HubIntegrationTest {

    private static final String INSERT = """
            INSERT INTO wechat_event (id, account, open_id, msg_type, event, create_time, fields, raw_xml, status,
                                      next_attempt_at, received_at)
            VALUES (?, 'demo', ?, 'event', 'CLICK', ?, '{}', '<xml/>', 'done', now(), now())""";

    @Autowired TransactionTemplate transactions;

    final List<Integer> batches = new CopyOnWriteArrayList<>();
    final AtomicInteger committed = new AtomicInteger();
    final ExecutorService pushes = Executors.newFixedThreadPool(8);

    @AfterEach
    void stopPushes() {
        pushes.shutdownNow();
    }

    @Test
    void rowsThatWaitTogetherAreCommittedTogetherAndEachCallerReturnsAfterTheCommit() throws Exception {
        GroupCommit group = new GroupCommit(transactions, this::insert, 0);
        List<Future<GroupCommit.Result>> results = IntStream.range(0, 5).mapToObj(i -> submit(group, row(i))).toList();
        await().atMost(Duration.ofSeconds(5)).until(() -> group.waiting() == 5);
        assertThat(results).noneMatch(Future::isDone);

        group.commitNext();

        for (Future<GroupCommit.Result> result : results) {
            assertThat(result.get()).isEqualTo(GroupCommit.Result.COMMITTED);
        }
        assertThat(batches).containsExactly(5);
        assertThat(committed).hasValue(5);
        assertThat(state.eventCount(openId)).isEqualTo(5);
    }

    @Test
    void aRowThatArrivesAloneIsWrittenByItsCaller() throws Exception {
        GroupCommit group = new GroupCommit(transactions, this::insert, 0);
        Future<GroupCommit.Result> result = submit(group, row(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> group.waiting() == 1);

        group.commitNext();

        assertThat(result.get()).isEqualTo(GroupCommit.Result.WRITE_ALONE);
        assertThat(batches).isEmpty();
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void aBatchOneRowBreaksIsRolledBackAndEachRowIsWrittenAlone() throws Exception {
        jdbc.update(INSERT, openId + "-1", openId, createTime); // the second row is a duplicate
        GroupCommit group = new GroupCommit(transactions, this::insert, 0);
        List<Future<GroupCommit.Result>> results = IntStream.range(0, 3).mapToObj(i -> submit(group, row(i))).toList();
        await().atMost(Duration.ofSeconds(5)).until(() -> group.waiting() == 3);

        group.commitNext();

        for (Future<GroupCommit.Result> result : results) {
            assertThat(result.get()).isEqualTo(GroupCommit.Result.WRITE_ALONE);
        }
        assertThat(state.eventCount(openId)).as("only the row inserted before").isEqualTo(1);
        assertThat(committed).hasValue(0);
    }

    @Test
    void aStalledDatabaseFailsEveryPushOfTheBatch() throws InterruptedException {
        GroupCommit group = new GroupCommit(transactions, rows -> {
            throw new QueryTimeoutException("canceling statement due to statement timeout");
        }, 0);
        List<Future<GroupCommit.Result>> results = IntStream.range(0, 3).mapToObj(i -> submit(group, row(i))).toList();
        await().atMost(Duration.ofSeconds(5)).until(() -> group.waiting() == 3);

        group.commitNext();

        for (Future<GroupCommit.Result> result : results) {
            assertThatThrownBy(result::get).hasCauseInstanceOf(QueryTimeoutException.class);
        }
    }

    @Test
    void aCallerThatStopsWaitingGetsATimeoutAndItsRowIsStillSeenThroughOnceCommitted() throws Exception {
        GroupCommit group = new GroupCommit(transactions, this::insert, 0);
        List<Future<GroupCommit.Result>> impatient = IntStream.range(0, 2)
                .mapToObj(i -> pushes.submit(() -> group.write(row(i), committed::incrementAndGet, 100))).toList();
        for (Future<GroupCommit.Result> result : impatient) {
            assertThatThrownBy(result::get).hasCauseInstanceOf(QueryTimeoutException.class);
        }

        group.commitNext(); // the database was slow, not gone: the rows commit after all

        assertThat(state.eventCount(openId)).isEqualTo(2);
        assertThat(committed).as("each row's onCommit ran").hasValue(2);
    }

    @Test
    void aHandOffThatFailsLeavesNoPushOfTheBatchWaiting() throws Exception {
        GroupCommit group = new GroupCommit(transactions, this::insert, 0);
        Future<GroupCommit.Result> failing = pushes.submit(() -> group.write(row(0), () -> {
            throw new IllegalStateException("hand-off failed");
        }, 10_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> group.waiting() == 1);
        Future<GroupCommit.Result> next = submit(group, row(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> group.waiting() == 2);

        group.commitNext();

        assertThat(failing.get()).as("committed: answered as recorded").isEqualTo(GroupCommit.Result.COMMITTED);
        assertThat(next.get()).isEqualTo(GroupCommit.Result.COMMITTED);
        assertThat(committed).hasValue(1);
    }

    private Future<GroupCommit.Result> submit(GroupCommit group, Object[] row) {
        return pushes.submit(() -> group.write(row, committed::incrementAndGet, 10_000));
    }

    private Object[] row(int i) {
        return new Object[] {openId + "-" + i, openId, createTime + i};
    }

    private void insert(List<Object[]> rows) {
        batches.add(rows.size());
        jdbc.batchUpdate(INSERT, rows);
    }
}
