/* cell.c: the communication cell and the fallback channels (MR 2, 6.4).
 *
 * The cell is a staffed queue: a request waits for one of c operators (lower
 * priority value first, then first come), only within staffed hours and while
 * the cell is up and not suspended; it holds the operator for a handling
 * time, then passes the supervisor's relay and a heavy-tailed political
 * approval before the answer reaches the sender.  Outages alternate with up
 * times (exponential, MTBF and MTTR) on their own stream, so the cell's
 * availability does not depend on its traffic.  A severe incident between the
 * members may suspend it; the receiving side may refuse, more often as
 * tension rises.
 *
 * The cell comes on top of the world without it: a query goes to the
 * fallback channels (UNDOF liaison, a US backchannel, public statements; the
 * first one available) exactly as it would without the cell, and to the
 * cell as well when the sender is a member.  So a cell that never answers
 * in time, never delivers a notice and never enforces changes nothing.
 * Parties that rely on the cell instead of the channels (crowding out) are
 * the option cell.crowd_out, off by default.
 *
 * An answer matters only if it arrives before the sender's deadline (the
 * strike time of the retaliation waiting for it).  It names the culprit with
 * the channel's accuracy, else another candidate (a channel can mislead);
 * the sender calls its strike off when the answer names someone else, with
 * the weight esc_config_trust gives it, and the receiver may act itself
 * against a non-state culprit instead of the requester striking.  A notice
 * of an operation that arrives early enough spares a share of the civilians
 * the operation would kill.  Each of these three effects can be switched
 * off (cell.effects), which is how compare --decompose takes the cell's
 * effect apart.  Every draw is made at the request's key (run_keyed), and
 * every request becomes a row of the messages log.
 *
 * The cell owns its requests and the runs columns about them (cell_counts,
 * copied to the row by cell_finish); it reads incidents and pending strikes
 * through model.c's accessors and calls a strike off with model_call_off. */
#include <assert.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "model_impl.h"

static int is_member(const esc_cell *c, int p) { return p == c->members[0] || p == c->members[1]; }

static int up(const esc_model *m)
{
	return !m->cell.down && esc_event_queue_now(m->sim) >= m->cell.suspended_until;
}

static int staffed(const esc_cell *c, double t)
{
	/* Around the clock (the default): fmod(t, 24) of a time >= 0 is in
	 * [0, 24), so no need to take it (125 instructions). */
	if (c->staffed_from_h <= 0 && c->staffed_to_h >= 24 && t >= 0 && t < INFINITY)
		return 1;
	double h = fmod(t, 24.0);
	return h >= c->staffed_from_h && h < c->staffed_to_h;
}

/* ---- the messages log ------------------------------------------------ */

static void finish(esc_model *m, request *rq, esc_message_outcome outcome)
{
	rq->outcome = outcome;
	if (rq->channel == 0 && outcome == ESC_MSG_ANSWERED && rq->kind == ESC_MSG_QUERY)
		m->cell.n.answered++;
	if (rq->channel > 0 && outcome == ESC_MSG_ANSWERED && rq->kind == ESC_MSG_QUERY)
		m->cell.n.channel_answered++;
	if (!run_sink(m)->message)
		return;
	esc_message_row row = {
		.rep = (int64_t)run_rep(m), .id = rq->id,
		.event_id = rq->trigger >= 0 ? model_incident(m, rq->trigger)->id : -1,
		.channel = rq->channel, .sender = rq->sender, .receiver = rq->receiver,
		.kind = (int8_t)rq->kind, .outcome = (int8_t)outcome, .correct = (int8_t)rq->correct,
		.t_submit_h = rq->t_submit, .t_start_h = rq->t_start, .t_answer_h = rq->t_answer,
		.deadline_h = rq->deadline, .slack_h = rq->deadline - rq->t_answer,
	};
	int st = run_sink(m)->message(run_sink(m)->self, &row, run_err(m));
	if (st)
		run_fail(m, st, NULL);
}

static int new_request(esc_model *m, const request *tmpl)
{
	int q;
	VEC_PUSH(m, m->cell.req, q);
	if (q < 0)
		return -1;
	request *rq = &m->cell.req.v[q];
	*rq = *tmpl;
	rq->id = m->cell.next_msg_id++;
	rq->t_start = rq->t_answer = NAN;
	rq->outcome = -1;
	rq->correct = -1;
	return q;
}

/* ---- effects of an answer -------------------------------------------- */

static void on_answered(esc_event_queue *sim, void *ctx, void *arg);

/* A party other than `a` and `b` that could have done it (state or
 * non-state), picked with u in [0, 1); -1 when there is none. */
static int other_candidate(const esc_config *cfg, int a, int b, double u)
{
	int k = 0;
	for (size_t p = 0; p < cfg->n_parties; p++)
		k += (int)p != a && (int)p != b && cfg->parties[p].kind != ESC_PARTY_SUPERVISOR;
	if (k == 0)
		return -1;
	int pick = (int)(u * k);
	for (size_t p = 0; p < cfg->n_parties; p++)
		if ((int)p != a && (int)p != b && cfg->parties[p].kind != ESC_PARTY_SUPERVISOR && pick-- == 0)
			return (int)p;
	return -1;
}

/* The draws about an answer, in a fixed order at the request's key. */
typedef struct answer_draws {
	double truth, other, trust, enforce;
} answer_draws;

/* Whom an answer names: with the channel's accuracy the culprit, else
 * another candidate at random (a channel can mislead); a denial names no
 * one; about a deniable actor no answer can name anyone (Khasham, 2018);
 * shared intelligence and a commitment to enforce name the culprit. */
static int named_by(const esc_model *m, const request *rq, double accuracy, const answer_draws *u)
{
	const esc_config *cfg = m->cfg;
	int culprit = model_incident(m, rq->trigger)->actor;
	if (rq->reply == ESC_REPLY_DENY || cfg->parties[culprit].deniable)
		return -1;
	if (rq->reply == ESC_REPLY_SHARE_INTEL || rq->reply == ESC_REPLY_COMMIT_ENFORCE)
		return culprit;
	if (u->truth < accuracy)
		return culprit;
	int other = other_candidate(cfg, rq->sender, culprit, u->other);
	return other >= 0 ? other : culprit;
}

/* The receiving state acts against a non-state culprit the answer names,
 * and the requester stands down (the Israel-Lebanon mechanism's logic):
 * only through the cell, and only while its enforcement effect is on. */
static int enforces(const esc_model *m, const request *rq, int named, const answer_draws *u)
{
	const esc_config *cfg = m->cfg;
	const esc_cell *c = &cfg->cell;
	int culprit = model_incident(m, rq->trigger)->actor;
	int commits = rq->reply == ESC_REPLY_COMMIT_ENFORCE;
	return rq->channel == 0 && c->effects.enforcement && (c->enforce_type >= 0 || commits) &&
	       named == culprit && cfg->parties[culprit].kind != ESC_PARTY_STATE &&
	       cfg->parties[rq->receiver].kind == ESC_PARTY_STATE && rq->receiver != culprit &&
	       (commits || u->enforce < c->enforce_p);
}

/* The answer to rq arrived in time: the sender reads it.  A pending strike
 * is called off when the answer names someone else and the sender gives it
 * weight (esc_config_trust: an answer no better than a guess weighs
 * nothing), or when its on_cell_reply hook says so; the cell's answers do
 * this only while its `answers` effect is on. */
static void apply_answer(esc_model *m, request *rq)
{
	const esc_config *cfg = m->cfg;
	size_t q = (size_t)(rq - m->cell.req.v);
	const incident *trig = model_incident(m, rq->trigger);
	int is_cell = rq->channel == 0;
	double accuracy = is_cell ? cfg->cell.accuracy : cfg->channels[rq->channel - 1].accuracy;
	gsl_rng *r = run_keyed(m, rq->key, DRAW_ANSWER);
	answer_draws u;
	u.truth = gsl_rng_uniform(r);
	u.other = gsl_rng_uniform(r);
	u.trust = gsl_rng_uniform(r);
	u.enforce = gsl_rng_uniform(r);
	const retaliation *rt = rq->retaliation >= 0 ? model_retaliation(m, rq->retaliation) : NULL;
	int pending = rt && !rt->called_off && esc_event_queue_is_pending(m->sim, rt->strike);
	int culprit = trig->actor;
	int named = named_by(m, rq, accuracy, &u);
	rq->correct = named < 0 ? -1 : named == culprit;
	int evidence = rq->reply == ESC_REPLY_SHARE_INTEL || rq->reply == ESC_REPLY_COMMIT_ENFORCE;
	double trust = evidence ? 1.0 : esc_config_trust(cfg, rq->sender, accuracy);
	int heeded = !is_cell || cfg->cell.effects.answers;
	int cancel = pending && heeded && named >= 0 && named != rt->target && u.trust < trust;
	if (heeded && run_has_hook(m, rq->sender, ESC_HOOK_CELL_REPLY)) {
		esc_cell_answer ans = {
			.message_id = rq->id, .event_id = trig->id, .channel = rq->channel,
			.reply = (esc_reply_kind)rq->reply, .named = named,
			.pending_target = pending ? rt->target : -1,
			.strike_h = pending ? rt->t_strike : NAN,
		};
		esc_hook_ctx hc = run_hook_ctx(m, rq->sender, rq->key);
		if (run_hook_failed(m, run_policy(m)->type->on_cell_reply(run_policy(m)->self, &hc, &ans,
		                                                          &cancel, run_err(m))))
			return;
		/* The hook may have acted (sim.act): the arrays may have moved. */
		rq = &m->cell.req.v[q];
		trig = model_incident(m, rq->trigger);
		rt = rq->retaliation >= 0 ? model_retaliation(m, rq->retaliation) : NULL;
		pending = rt && !rt->called_off && esc_event_queue_is_pending(m->sim, rt->strike);
	}
	if (!pending)
		return;
	if (enforces(m, rq, named, &u)) {
		int type = cfg->cell.enforce_type >= 0 ? cfg->cell.enforce_type : rt->type;   /* no type: in kind */
		int trigger = rq->trigger, receiver = rq->receiver;
		uint64_t key = esc_rng_key(trig->key, KEY_ENFORCE, (uint64_t)receiver);
		model_call_off(m, rq->retaliation);
		m->cell.n.enforcements++;
		/* A retaliation by the receiver, against the real culprit. */
		model_retaliate(m, receiver, culprit, type, model_incident(m, trigger)->zone, trigger, key);
		return;
	}
	if (cancel)
		model_call_off(m, rq->retaliation);
}

static void on_answered(esc_event_queue *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	request *rq = &m->cell.req.v[(intptr_t)arg];
	rq->t_answer = esc_event_queue_now(sim);
	if (rq->channel == 0 && rq->kind == ESC_MSG_QUERY) {
		m->cell.n.latency_sum += rq->t_answer - rq->t_submit;
		m->cell.n.latency_n++;
	} else if (rq->channel == 0 && rq->kind == ESC_MSG_NOTIFY) {
		m->cell.n.notice_latency_sum += rq->t_answer - rq->t_submit;
		m->cell.n.notice_latency_n++;
	}
	int in_time = !(rq->t_answer > rq->deadline);      /* NaN deadline: in time */
	if (in_time && rq->kind == ESC_MSG_QUERY && rq->trigger >= 0)
		apply_answer(m, rq);
	if (!run_failed(m))
		finish(m, &m->cell.req.v[(intptr_t)arg], in_time ? ESC_MSG_ANSWERED : ESC_MSG_LATE);
}

/* ---- fallback channels ----------------------------------------------- */

/* The channels in order: the first one available takes the query.  Each
 * try is keyed by the query and the channel, so a channel answers a query
 * the same way with the cell or without it. */
static void channels(esc_model *m, const request *tmpl)
{
	const esc_config *cfg = m->cfg;
	for (size_t i = 0; i < cfg->n_channels && !run_failed(m); i++) {
		const esc_channel *ch = &cfg->channels[i];
		request t = *tmpl;
		t.channel = (int)i + 1;
		t.key = esc_rng_key(tmpl->key, KEY_CHANNEL, i + 1);
		int q = new_request(m, &t);
		if (q < 0)
			return;
		m->cell.n.channel_requests++;
		if (!(gsl_rng_uniform(run_keyed(m, t.key, DRAW_AVAILABLE)) < ch->availability)) {
			finish(m, &m->cell.req.v[q], ESC_MSG_UNAVAILABLE);
			continue;
		}
		double lat = esc_dist_sample(&ch->latency_h, run_keyed(m, t.key, DRAW_DELAY));
		m->cell.req.v[q].t_start = m->cell.req.v[q].t_submit;
		if (esc_event_queue_schedule_in(m->sim, lat > 0 ? lat : 0, on_answered, m,
		                                (void *)(intptr_t)q) == ESC_EVENT_NONE)
			run_fail(m, ESC_ERR_RUNTIME, "out of memory");
		return;
	}
}

/* ---- the cell's queue ------------------------------------------------ */

static void try_start(esc_model *m);

static void on_handled(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	const esc_cell *c = &m->cfg->cell;
	m->cell.busy--;
	const request *rq = &m->cell.req.v[(intptr_t)arg];
	gsl_rng *r = run_keyed(m, rq->key, DRAW_DELAY);
	double d = esc_dist_sample(&c->relay_h, r);
	d += esc_dist_sample(&c->latency_h, r) + rq->extra_h;
	if (esc_event_queue_schedule_in(m->sim, d > 0 ? d : 0, on_answered, m, arg) == ESC_EVENT_NONE)
		run_fail(m, ESC_ERR_RUNTIME, "out of memory");
	try_start(m);
}

static void on_wake(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim; (void)arg;
	esc_model *m = ctx;
	m->cell.wake = ESC_EVENT_NONE;
	try_start(m);
}

/* Wake the queue at t (the next staffed hour or the end of a suspension). */
static void wake_at(esc_model *m, double t)
{
	if (m->cell.wake != ESC_EVENT_NONE || t > m->cfg->horizon_h)
		return;
	m->cell.wake = esc_event_queue_schedule(m->sim, t, on_wake, m, NULL);
	if (m->cell.wake == ESC_EVENT_NONE)
		run_fail(m, ESC_ERR_RUNTIME, "out of memory");
}

static void try_start(esc_model *m)
{
	const esc_cell *c = &m->cfg->cell;
	double now = esc_event_queue_now(m->sim);
	while (m->cell.busy < c->operators && m->cell.queue.n > 0 && !run_failed(m)) {
		if (m->cell.down)
			return;                         /* the repair restarts the queue */
		if (now < m->cell.suspended_until) {
			wake_at(m, m->cell.suspended_until);
			return;
		}
		if (!staffed(c, now)) {
			double day = floor(now / 24.0) * 24.0;
			double next = day + c->staffed_from_h;
			wake_at(m, next > now ? next : next + 24.0);
			return;
		}
		/* Lowest priority value first, then first come. */
		size_t best = 0;
		for (size_t i = 1; i < m->cell.queue.n; i++) {
			const request *a = &m->cell.req.v[m->cell.queue.v[i]], *b = &m->cell.req.v[m->cell.queue.v[best]];
			if (a->priority < b->priority)
				best = i;
		}
		int q = m->cell.queue.v[best];
		for (size_t i = best + 1; i < m->cell.queue.n; i++)
			m->cell.queue.v[i - 1] = m->cell.queue.v[i];
		m->cell.queue.n--;
		m->cell.req.v[q].t_start = now;
		m->cell.busy++;
		double h = esc_dist_sample(&c->handling_h, run_keyed(m, m->cell.req.v[q].key, DRAW_HANDLING));
		if (esc_event_queue_schedule_in(m->sim, h > 0 ? h : 0, on_handled, m,
		                                (void *)(intptr_t)q) == ESC_EVENT_NONE)
			run_fail(m, ESC_ERR_RUNTIME, "out of memory");
	}
}

static double tension(const esc_model *m, int a, int b)
{
	double x = ladder_level(m, a, b), y = ladder_level(m, b, a);
	return x > y ? x : y;
}

int cell_available(const esc_model *m, int sender)
{
	const esc_cell *c = &m->cfg->cell;
	return c->enabled && is_member(c, sender) && up(m);
}

/* Give request t to the cell: 1 if it is queued, 0 if the cell is down,
 * suspended or the receiver refuses (the request is then finished with
 * that outcome), -1 if the run failed. */
static int submit(esc_model *m, const request *t)
{
	const esc_cell *c = &m->cfg->cell;
	int query = t->kind == ESC_MSG_QUERY;
	int q = new_request(m, t);
	if (q < 0)
		return -1;
	if (query)
		m->cell.n.requests++;
	if (!up(m)) {
		if (query)
			m->cell.n.unavailable++;
		finish(m, &m->cell.req.v[q], ESC_MSG_UNAVAILABLE);
		return 0;
	}
	/* The receiver's policy may choose how to answer, or refuse. */
	if (run_has_hook(m, t->receiver, ESC_HOOK_CELL_REQUEST)) {
		const incident *trig = t->trigger >= 0 ? model_incident(m, t->trigger) : NULL;
		esc_cell_request view = {
			.message_id = m->cell.req.v[q].id, .event_id = trig ? trig->id : -1,
			.sender = t->sender, .receiver = t->receiver, .kind = t->kind,
			.suspected = t->retaliation >= 0 ? model_retaliation(m, t->retaliation)->target
			           : trig ? trig->perceived : -1,
			.culprit = trig ? trig->actor : -1, .deadline_h = t->deadline,
		};
		esc_cell_reply reply = { ESC_REPLY_ANSWER, 0 };
		esc_hook_ctx hc = run_hook_ctx(m, t->receiver, t->key);
		if (run_hook_failed(m, run_policy(m)->type->on_cell_request(run_policy(m)->self, &hc, &view,
		                                                            &reply, run_err(m))))
			return -1;
		if (reply.reply < ESC_REPLY_ANSWER || reply.reply > ESC_REPLY_REFUSE ||
		    !(reply.delay_h >= 0) || !isfinite(reply.delay_h)) {
			run_fail(m, ESC_ERR_INPUT, "on_cell_request: expected a reply kind and a delay >= 0 hours");
			return -1;
		}
		m->cell.req.v[q].reply = reply.reply;
		m->cell.req.v[q].extra_h = reply.delay_h;
	}
	double p = c->refuse_base + c->refuse_per_level * tension(m, t->sender, t->receiver);
	if (m->cell.req.v[q].reply == ESC_REPLY_REFUSE ||
	    (p > 0 && gsl_rng_uniform(run_keyed(m, t->key, DRAW_REFUSE)) < p)) {
		if (query)
			m->cell.n.refused++;
		finish(m, &m->cell.req.v[q], ESC_MSG_REFUSED);
		return 0;
	}
	int slot;
	VEC_PUSH(m, m->cell.queue, slot);
	if (slot < 0)
		return -1;
	m->cell.queue.v[slot] = q;
	try_start(m);
	return 1;
}

static request message(esc_model *m, uint64_t key, esc_message_kind kind, int sender,
                       int trigger, int retaliation, int priority, double deadline_h)
{
	const esc_cell *c = &m->cfg->cell;
	return (request){
		.key = key, .trigger = trigger, .retaliation = retaliation, .sender = sender,
		.receiver = sender == c->members[0] ? c->members[1] : c->members[0],
		.channel = 0, .kind = kind, .priority = priority, .reply = ESC_REPLY_ANSWER,
		.t_submit = esc_event_queue_now(m->sim), .deadline = deadline_h, .notice = -1,
	};
}

void cell_query(esc_model *m, uint64_t key, int sender, int trigger, int retaliation,
                int priority, double deadline_h)
{
	const esc_cell *c = &m->cfg->cell;
	request t = message(m, key, ESC_MSG_QUERY, sender, trigger, retaliation, priority, deadline_h);
	int to_cell = c->enabled && is_member(c, sender);
	if (to_cell && c->crowd_out) {
		/* The sender relies on the cell: the channels only when it cannot take the query. */
		int taken = submit(m, &t);
		if (taken == 0)
			channels(m, &t);
		return;
	}
	channels(m, &t);
	if (to_cell && !run_failed(m))
		submit(m, &t);
}

/* ---- operations notified in advance ---------------------------------- */

int cell_notice(esc_model *m, uint64_t key, int actor, double t_op_h)
{
	const esc_cell *c = &m->cfg->cell;
	if (!c->enabled || !is_member(c, actor))
		return -1;
	int q = (int)m->cell.req.n;
	request t = message(m, key, ESC_MSG_NOTIFY, actor, -1, -1, 0, t_op_h);
	if (submit(m, &t) < 0)
		return -1;
	m->cell.n.notices_sent++;
	return q;
}

/* At the operation: third parties clear the area if the notice reached
 * them `need` hours before it (the IL-20 lesson: under a minute is not
 * enough), and then a share of the civilians it would have killed are
 * spared (cell.notify.harm_reduction).  Only a delivered notice counts. */
double cell_notice_spares(esc_model *m, int q)
{
	if (q < 0)
		return 0;
	const esc_cell *c = &m->cfg->cell;
	const request *rq = &m->cell.req.v[q];
	double now = esc_event_queue_now(m->sim);
	if (rq->outcome == ESC_MSG_REFUSED || rq->outcome == ESC_MSG_UNAVAILABLE) {
		m->cell.n.notices_undelivered++;
		return 0;
	}
	double need = esc_dist_sample(&c->notify_need_h, run_keyed(m, rq->key, DRAW_NEED));
	if (isnan(rq->t_answer) || rq->t_answer > now - need) {      /* NaN: still on its way */
		m->cell.n.notices_too_late++;
		return 0;
	}
	m->cell.n.notices_in_time++;
	return c->effects.notices ? c->notify_harm_reduction : 0;
}

/* ---- availability ---------------------------------------------------- */

static void on_outage(esc_event_queue *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	const esc_cell *c = &m->cfg->cell;
	m->cell.down = arg != NULL;
	double mean = m->cell.down ? c->mttr_h : c->mtbf_h;
	double t = esc_event_queue_now(sim) + gsl_ran_exponential(m->cell.outage_rng, mean);
	if (t <= m->cfg->horizon_h &&
	    esc_event_queue_schedule(sim, t, on_outage, m, m->cell.down ? NULL : (void *)1) == ESC_EVENT_NONE)
		run_fail(m, ESC_ERR_RUNTIME, "out of memory");
	if (!m->cell.down)
		try_start(m);
}

void cell_on_incident(esc_model *m, const incident *in)
{
	const esc_cell *c = &m->cfg->cell;
	if (!c->enabled || c->suspend_p <= 0 || !is_member(c, in->actor) || !is_member(c, in->target) ||
	    in->rung < c->suspend_level)
		return;
	gsl_rng *r = run_keyed(m, in->key, DRAW_SUSPEND);
	if (gsl_rng_uniform(r) < c->suspend_p) {
		double until = esc_event_queue_now(m->sim) + esc_dist_sample(&c->suspend_h, r);
		if (until > m->cell.suspended_until)
			m->cell.suspended_until = until;
	}
}

/* ---- lifecycle ------------------------------------------------------- */

void cell_free(esc_model *m)
{
	free(m->cell.req.v);
	free(m->cell.queue.v);
}

int cell_bind(esc_model *m, esc_streams *s)
{
	m->cell.outage_rng = esc_streams_get(s, "cell.outage");
	return m->cell.outage_rng ? 0 : -1;
}

void cell_reset(esc_model *m)
{
	cell_state *s = &m->cell;
	s->req.n = s->queue.n = 0;
	s->busy = s->down = 0;
	s->suspended_until = -INFINITY;
	s->wake = ESC_EVENT_NONE;
	s->next_msg_id = 0;
	s->n = (cell_counts){0};
}

/* The first outage, when the cell has them. */
int cell_start(esc_model *m)
{
	const esc_cell *c = &m->cfg->cell;
	if (!c->enabled || !isfinite(c->mtbf_h))
		return 0;
	double t = gsl_ran_exponential(m->cell.outage_rng, c->mtbf_h);
	if (t <= m->cfg->horizon_h && esc_event_queue_schedule(m->sim, t, on_outage, m, (void *)1) == ESC_EVENT_NONE)
		return -1;
	return 0;
}

/* Messages still open at the horizon are rows too (pending). */
void cell_close(esc_model *m)
{
	for (size_t q = 0; q < m->cell.req.n && !run_failed(m); q++)
		if (m->cell.req.v[q].outcome < 0)
			finish(m, &m->cell.req.v[q], ESC_MSG_PENDING);
}

/* Every query to the cell is unavailable, refused or queued (and then
 * answered in time, late or still open); every notice counted at its
 * operation was sent, and operations past the horizon never come; an
 * enforcement follows an answer in time. */
static void check_counts(const cell_counts *n)
{
	assert(n->requests >= 0 && n->channel_requests >= 0 && n->notices_sent >= 0);
	assert(n->unavailable + n->refused + n->answered <= n->requests);
	assert(n->enforcements <= n->answered);
	assert(n->channel_answered <= n->channel_requests);
	assert(n->notices_in_time >= 0 && n->notices_too_late >= 0 && n->notices_undelivered >= 0);
	assert(n->notices_in_time + n->notices_too_late + n->notices_undelivered <= n->notices_sent);
	assert(n->latency_n <= n->requests && n->notice_latency_n <= n->notices_sent);
	(void)n;
}

void cell_finish(const esc_model *m, esc_run_row *row)
{
	const cell_counts *n = &m->cell.n;
	check_counts(n);
	row->cell_requests = n->requests;
	row->cell_answered_before_deadline = n->answered;
	row->cell_refused = n->refused;
	row->cell_unavailable = n->unavailable;
	row->cell_enforcements = n->enforcements;
	row->channel_requests = n->channel_requests;
	row->channel_answered_before_deadline = n->channel_answered;
	row->notices_sent = n->notices_sent;
	row->notices_in_time = n->notices_in_time;
	row->notices_too_late = n->notices_too_late;
	row->notices_undelivered = n->notices_undelivered;
	row->cell_mean_latency_h = n->latency_n > 0 ? n->latency_sum / (double)n->latency_n : NAN;
	row->cell_notice_latency_h = n->notice_latency_n > 0 ? n->notice_latency_sum / (double)n->notice_latency_n
	                                                    : NAN;
}
