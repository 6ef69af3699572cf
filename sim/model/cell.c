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
 * tension rises.  A request the cell cannot take (disabled, down, suspended,
 * refused, or a sender outside it) goes to the fallback channels in order.
 *
 * An answer matters only if it arrives before the sender's deadline (the
 * strike time of the retaliation waiting for it): then a truthful answer
 * clears a wrongly suspected party, unless the real perpetrator is deniable,
 * and the receiver may act itself against a non-state culprit instead of the
 * requester striking.  A notice of an operation that arrives early enough
 * lets third parties clear the area.  Every request becomes a row of the
 * messages log with its timings and outcome. */
#include <math.h>

#include <gsl/gsl_randist.h>

#include "model_impl.h"

static int is_member(const esc_cell *c, int p) { return p == c->members[0] || p == c->members[1]; }

static int up(const esc_model *m)
{
	return !m->cell_down && esc_sim_now(m->sim) >= m->cell_suspended_until;
}

static int staffed(const esc_cell *c, double t)
{
	double h = fmod(t, 24.0);
	return h >= c->staffed_from_h && h < c->staffed_to_h;
}

/* ---- the messages log ------------------------------------------------ */

static void finish(esc_model *m, request *rq, esc_message_outcome outcome)
{
	rq->outcome = outcome;
	if (rq->channel == 0 && outcome == ESC_MSG_ANSWERED && rq->kind == ESC_MSG_QUERY)
		m->row->cell_answered_before_deadline++;
	if (rq->channel > 0 && outcome == ESC_MSG_ANSWERED && rq->kind == ESC_MSG_QUERY)
		m->row->channel_answered_before_deadline++;
	if (!m->sink.message)
		return;
	esc_message_row row = {
		.rep = (int64_t)m->rep, .id = rq->id,
		.event_id = rq->trigger >= 0 ? m->inc.v[rq->trigger].id : -1,
		.channel = rq->channel, .sender = rq->sender, .receiver = rq->receiver,
		.kind = (int8_t)rq->kind, .outcome = (int8_t)outcome, .correct = (int8_t)rq->correct,
		.t_submit_h = rq->t_submit, .t_start_h = rq->t_start, .t_answer_h = rq->t_answer,
		.deadline_h = rq->deadline, .slack_h = rq->deadline - rq->t_answer,
	};
	int st = m->sink.message(m->sink.self, &row, m->err);
	if (st)
		model_fail(m, st, NULL);
}

static int new_request(esc_model *m, const request *tmpl)
{
	int q;
	VEC_PUSH(m, m->req, q);
	if (q < 0)
		return -1;
	request *rq = &m->req.v[q];
	*rq = *tmpl;
	rq->id = m->next_msg_id++;
	rq->t_start = rq->t_answer = NAN;
	rq->outcome = -1;
	rq->correct = -1;
	return q;
}

/* ---- effects of an answer -------------------------------------------- */

static void on_answered(esc_sim *sim, void *ctx, void *arg);

/* Whom an answer names: the culprit if truthful, else the requester's own
 * suspicion; a denial names no one; about a deniable actor an answer clears
 * no one (the suspicion stands). */
static int named_by(const esc_model *m, const request *rq, int truthful, int suspicion)
{
	const esc_config *cfg = m->cfg;
	int culprit = m->inc.v[rq->trigger].actor;
	if (rq->reply == ESC_REPLY_DENY)
		return -1;
	if (cfg->parties[culprit].deniable)
		return suspicion;
	if (rq->reply == ESC_REPLY_SHARE_INTEL || rq->reply == ESC_REPLY_COMMIT_ENFORCE)
		return culprit;
	return truthful ? culprit : suspicion;
}

/* The answer to rq arrived in time: the sender reads it, and a pending
 * strike is called off when it names someone else (or the sender's
 * on_cell_reply hook says so). */
static void apply_answer(esc_model *m, request *rq, int truthful)
{
	const esc_config *cfg = m->cfg;
	const incident *trig = &m->inc.v[rq->trigger];
	retaliation *rt = rq->retaliation >= 0 ? &m->ret.v[rq->retaliation] : NULL;
	int pending = rt && !rt->called_off && esc_sim_is_pending(m->sim, rt->strike);
	int suspicion = rt ? rt->target : trig->perceived;
	int culprit = trig->actor;
	int named = named_by(m, rq, truthful, suspicion);
	rq->correct = named < 0 ? -1 : named == culprit;
	int cancel = pending && named >= 0 && named != rt->target;
	if (m->policy && m->policy->type->on_cell_reply) {
		esc_cell_answer ans = {
			.message_id = rq->id, .event_id = trig->id, .channel = rq->channel,
			.reply = (esc_reply_kind)rq->reply, .named = named,
			.pending_target = pending ? rt->target : -1,
			.strike_h = pending ? rt->t_strike : NAN,
		};
		esc_hook_ctx hc = model_hook_ctx(m, rq->sender);
		if (model_hook_failed(m, m->policy->type->on_cell_reply(m->policy->self, &hc, &ans, &cancel, m->err)))
			return;
		rt = rq->retaliation >= 0 ? &m->ret.v[rq->retaliation] : NULL;
		pending = rt && !rt->called_off && esc_sim_is_pending(m->sim, rt->strike);
	}
	if (!pending)
		return;
	/* The answer names a non-state culprit: the receiving state may act
	 * against it itself, and the requester stands down (the Israel-Lebanon
	 * mechanism's logic). */
	const esc_cell *c = &cfg->cell;
	int enforce_type = c->enforce_type;
	int commits = rq->reply == ESC_REPLY_COMMIT_ENFORCE;
	if (commits && enforce_type < 0)
		enforce_type = rt->type;        /* no type configured: act in kind */
	if (rq->channel == 0 && enforce_type >= 0 && named == culprit &&
	    cfg->parties[culprit].kind != ESC_PARTY_STATE &&
	    cfg->parties[rq->receiver].kind == ESC_PARTY_STATE && rq->receiver != culprit &&
	    (commits || gsl_rng_uniform(m->cell_rng) < c->enforce_p)) {
		esc_sim_cancel(m->sim, rt->strike);
		rt->called_off = 1;
		m->row->cell_enforcements++;
		/* A policy incident like a retaliation, against the real culprit. */
		if (model_add_incident(m, rq->receiver, culprit, enforce_type, trig->zone,
		                       ESC_CAUSE_POLICY, rq->trigger, -1) >= 0)
			m->row->retaliations++;
		return;
	}
	if (cancel) {
		esc_sim_cancel(m->sim, rt->strike);
		rt->called_off = 1;
	}
}

static void on_answered(esc_sim *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	request *rq = &m->req.v[(intptr_t)arg];
	rq->t_answer = esc_sim_now(sim);
	double accuracy = rq->channel == 0 ? m->cfg->cell.accuracy
	                                   : m->cfg->channels[rq->channel - 1].accuracy;
	gsl_rng *r = rq->channel == 0 ? m->cell_rng : m->channel_rng;
	int truthful = gsl_rng_uniform(r) < accuracy;
	if (rq->channel == 0) {
		m->latency_sum += rq->t_answer - rq->t_submit;
		m->latency_n++;
	}
	int in_time = !(rq->t_answer > rq->deadline);      /* NaN deadline: in time */
	if (in_time && rq->kind == ESC_MSG_QUERY && rq->trigger >= 0)
		apply_answer(m, rq, truthful);
	if (!m->failed)
		finish(m, &m->req.v[(intptr_t)arg], in_time ? ESC_MSG_ANSWERED : ESC_MSG_LATE);
}

/* ---- fallback channels ----------------------------------------------- */

static void fallback(esc_model *m, const request *tmpl)
{
	const esc_config *cfg = m->cfg;
	for (size_t i = 0; i < cfg->n_channels && !m->failed; i++) {
		const esc_channel *ch = &cfg->channels[i];
		request t = *tmpl;
		t.channel = (int)i + 1;
		int q = new_request(m, &t);
		if (q < 0)
			return;
		if (tmpl->kind == ESC_MSG_QUERY)
			m->row->channel_requests++;
		if (!(gsl_rng_uniform(m->channel_rng) < ch->availability)) {
			finish(m, &m->req.v[q], ESC_MSG_UNAVAILABLE);
			continue;
		}
		double lat = esc_dist_sample(&ch->latency_h, m->channel_rng);
		m->req.v[q].t_start = m->req.v[q].t_submit;
		if (esc_sim_schedule_in(m->sim, lat > 0 ? lat : 0, on_answered, m, (void *)(intptr_t)q) == ESC_EVENT_NONE)
			model_fail(m, ESC_ERR_RUNTIME, "out of memory");
		return;
	}
}

/* ---- the cell's queue ------------------------------------------------ */

static void try_start(esc_model *m);

static void on_handled(esc_sim *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	const esc_cell *c = &m->cfg->cell;
	m->cell_busy--;
	double d = esc_dist_sample(&c->relay_h, m->cell_rng) + esc_dist_sample(&c->latency_h, m->cell_rng)
	         + m->req.v[(intptr_t)arg].extra_h;
	if (esc_sim_schedule_in(m->sim, d > 0 ? d : 0, on_answered, m, arg) == ESC_EVENT_NONE)
		model_fail(m, ESC_ERR_RUNTIME, "out of memory");
	try_start(m);
}

static void on_wake(esc_sim *sim, void *ctx, void *arg)
{
	(void)sim; (void)arg;
	esc_model *m = ctx;
	m->cell_wake = ESC_EVENT_NONE;
	try_start(m);
}

/* Wake the queue at t (the next staffed hour or the end of a suspension). */
static void wake_at(esc_model *m, double t)
{
	if (m->cell_wake != ESC_EVENT_NONE || t > m->cfg->horizon_h)
		return;
	m->cell_wake = esc_sim_schedule(m->sim, t, on_wake, m, NULL);
	if (m->cell_wake == ESC_EVENT_NONE)
		model_fail(m, ESC_ERR_RUNTIME, "out of memory");
}

static void try_start(esc_model *m)
{
	const esc_cell *c = &m->cfg->cell;
	double now = esc_sim_now(m->sim);
	while (m->cell_busy < c->operators && m->queue.n > 0 && !m->failed) {
		if (m->cell_down)
			return;                         /* the repair restarts the queue */
		if (now < m->cell_suspended_until) {
			wake_at(m, m->cell_suspended_until);
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
		for (size_t i = 1; i < m->queue.n; i++) {
			const request *a = &m->req.v[m->queue.v[i]], *b = &m->req.v[m->queue.v[best]];
			if (a->priority < b->priority)
				best = i;
		}
		int q = m->queue.v[best];
		for (size_t i = best + 1; i < m->queue.n; i++)
			m->queue.v[i - 1] = m->queue.v[i];
		m->queue.n--;
		m->req.v[q].t_start = now;
		m->cell_busy++;
		double h = esc_dist_sample(&c->handling_h, m->cell_rng);
		if (esc_sim_schedule_in(m->sim, h > 0 ? h : 0, on_handled, m, (void *)(intptr_t)q) == ESC_EVENT_NONE)
			model_fail(m, ESC_ERR_RUNTIME, "out of memory");
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

void cell_submit(esc_model *m, esc_message_kind kind, int sender, int trigger,
                 int retaliation, int priority, double deadline_h)
{
	const esc_cell *c = &m->cfg->cell;
	int receiver = sender == c->members[0] ? c->members[1] : c->members[0];
	request t = {
		.trigger = trigger, .retaliation = retaliation, .sender = sender,
		.receiver = receiver, .channel = 0, .kind = kind, .priority = priority,
		.reply = ESC_REPLY_ANSWER, .t_submit = esc_sim_now(m->sim),
		.deadline = deadline_h, .notice = -1,
	};
	if (!c->enabled || !is_member(c, sender)) {
		if (kind == ESC_MSG_QUERY)
			fallback(m, &t);
		return;
	}
	int q = new_request(m, &t);
	if (q < 0)
		return;
	if (kind == ESC_MSG_QUERY)
		m->row->cell_requests++;
	if (!up(m)) {
		if (kind == ESC_MSG_QUERY)
			m->row->cell_unavailable++;
		finish(m, &m->req.v[q], ESC_MSG_UNAVAILABLE);
		if (kind == ESC_MSG_QUERY)
			fallback(m, &t);
		return;
	}
	/* The receiver's policy may choose how to answer, or refuse. */
	if (m->policy && m->policy->type->on_cell_request) {
		const incident *trig = trigger >= 0 ? &m->inc.v[trigger] : NULL;
		esc_cell_request view = {
			.message_id = m->req.v[q].id, .event_id = trig ? trig->id : -1,
			.sender = sender, .receiver = receiver, .kind = kind,
			.suspected = retaliation >= 0 ? m->ret.v[retaliation].target : trig ? trig->perceived : -1,
			.culprit = trig ? trig->actor : -1, .deadline_h = deadline_h,
		};
		esc_cell_reply reply = { ESC_REPLY_ANSWER, 0 };
		esc_hook_ctx hc = model_hook_ctx(m, receiver);
		if (model_hook_failed(m, m->policy->type->on_cell_request(m->policy->self, &hc, &view, &reply, m->err)))
			return;
		if (reply.reply < ESC_REPLY_ANSWER || reply.reply > ESC_REPLY_REFUSE ||
		    !(reply.delay_h >= 0) || !isfinite(reply.delay_h)) {
			model_fail(m, ESC_ERR_INPUT, "on_cell_request: expected a reply kind and a delay >= 0 hours");
			return;
		}
		m->req.v[q].reply = reply.reply;
		m->req.v[q].extra_h = reply.delay_h;
	}
	double p = c->refuse_base + c->refuse_per_level * tension(m, sender, receiver);
	if (m->req.v[q].reply == ESC_REPLY_REFUSE || (p > 0 && gsl_rng_uniform(m->cell_rng) < p)) {
		if (kind == ESC_MSG_QUERY)
			m->row->cell_refused++;
		finish(m, &m->req.v[q], ESC_MSG_REFUSED);
		if (kind == ESC_MSG_QUERY)
			fallback(m, &t);
		return;
	}
	int slot;
	VEC_PUSH(m, m->queue, slot);
	if (slot < 0)
		return;
	m->queue.v[slot] = q;
	try_start(m);
}

/* ---- operations notified in advance ---------------------------------- */

int cell_notice(esc_model *m, int actor, double t_op_h)
{
	if (!m->cfg->cell.enabled)
		return -1;
	int before = (int)m->req.n;
	cell_submit(m, ESC_MSG_NOTIFY, actor, -1, -1, 0, t_op_h);
	if ((int)m->req.n == before)
		return -1;
	m->row->ops_notified++;
	return before;
}

int cell_notice_cleared(esc_model *m, int q)
{
	if (q < 0)
		return 0;
	const request *rq = &m->req.v[q];
	double need = esc_dist_sample(&m->cfg->cell.notify_need_h, m->cell_rng);
	/* Third parties clear the area if the notice reached them `need` hours
	 * before the operation (the IL-20 lesson: under a minute is not enough). */
	if (!isnan(rq->t_answer) && rq->t_answer <= esc_sim_now(m->sim) - need) {
		m->row->ops_deconflicted++;
		return 1;
	}
	m->row->near_misses++;
	return 0;
}

/* ---- availability ---------------------------------------------------- */

static void on_outage(esc_sim *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	const esc_cell *c = &m->cfg->cell;
	m->cell_down = arg != NULL;
	double mean = m->cell_down ? c->mttr_h : c->mtbf_h;
	double t = esc_sim_now(sim) + gsl_ran_exponential(m->outage_rng, mean);
	if (t <= m->cfg->horizon_h &&
	    esc_sim_schedule(sim, t, on_outage, m, m->cell_down ? NULL : (void *)1) == ESC_EVENT_NONE)
		model_fail(m, ESC_ERR_RUNTIME, "out of memory");
	if (!m->cell_down)
		try_start(m);
}

void cell_on_incident(esc_model *m, const incident *in)
{
	const esc_cell *c = &m->cfg->cell;
	if (!c->enabled || c->suspend_p <= 0 || !is_member(c, in->actor) || !is_member(c, in->target) ||
	    m->cfg->types[in->type].level < c->suspend_level)
		return;
	if (gsl_rng_uniform(m->cell_rng) < c->suspend_p) {
		double until = esc_sim_now(m->sim) + esc_dist_sample(&c->suspend_h, m->cell_rng);
		if (until > m->cell_suspended_until)
			m->cell_suspended_until = until;
	}
}

int cell_start(esc_model *m)
{
	const esc_cell *c = &m->cfg->cell;
	m->queue.n = 0;
	m->cell_busy = 0;
	m->cell_down = 0;
	m->cell_suspended_until = -INFINITY;
	m->cell_wake = ESC_EVENT_NONE;
	m->next_msg_id = 0;
	if (!c->enabled || !isfinite(c->mtbf_h))
		return 0;
	double t = gsl_ran_exponential(m->outage_rng, c->mtbf_h);
	if (t <= m->cfg->horizon_h && esc_sim_schedule(m->sim, t, on_outage, m, (void *)1) == ESC_EVENT_NONE)
		return -1;
	return 0;
}

void cell_finish(esc_model *m)
{
	for (size_t q = 0; q < m->req.n && !m->failed; q++)
		if (m->req.v[q].outcome < 0)
			finish(m, &m->req.v[q], ESC_MSG_PENDING);
}
