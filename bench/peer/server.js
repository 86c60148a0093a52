'use strict';
// The Node.js peer bench/run.sh measures beside Track Tracker: the routes the benchmark's seeder
// (bench/seed.py) and wrk scenarios (bench/wrk/) use, following openapi/openapi.json, written
// the way a Node.js developer would write them with Fastify 5 (default settings) and
// better-sqlite3 (WAL, synchronous=FULL, prepared statements), in two `cluster` workers sharing
// one SQLite file. Differences from Track Tracker are listed in bench/README.md.
//
//   node bench/peer/server.js --listen 127.0.0.1:0 --db /tmp/peer.db [--workers 2]
//
// The primary creates the schema, forks the workers and prints
// `peer listening on http://HOST:PORT` once every worker listens. SIGTERM or SIGINT stops it
// cleanly (each worker closes its server and its database).

const cluster = require('node:cluster');
const crypto = require('node:crypto');
const { parseArgs, promisify } = require('node:util');
const Database = require('better-sqlite3');

const { values: options } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1:3000' },
    db: { type: 'string', default: 'peer.db' },
    workers: { type: 'string', default: '2' },
  },
});
const [host, port] = [options.listen.slice(0, options.listen.lastIndexOf(':')),
  Number(options.listen.slice(options.listen.lastIndexOf(':') + 1))];
const workerCount = Number(options.workers);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, username TEXT NOT NULL, username_key TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL, email TEXT, password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sign_in_failures (username_key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sign_in_failures_by_key ON sign_in_failures(username_key, at);
CREATE TABLE IF NOT EXISTS competitions (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, location TEXT NOT NULL, start_date TEXT NOT NULL,
  end_date TEXT NOT NULL, description TEXT, url TEXT,
  created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS competitions_by_start ON competitions(start_date, id);
CREATE INDEX IF NOT EXISTS competitions_by_end ON competitions(end_date);
CREATE TABLE IF NOT EXISTS athletes (
  id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE, first_name TEXT NOT NULL,
  last_name TEXT NOT NULL, bio TEXT, birthday TEXT, team TEXT, country TEXT,
  disciplines TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
  competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
  name TEXT NOT NULL, date_time TEXT NOT NULL, instant INTEGER NOT NULL, notes TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS events_by_competition ON events(competition_id, athlete_id);
CREATE INDEX IF NOT EXISTS events_by_athlete ON events(athlete_id, instant);
CREATE TABLE IF NOT EXISTS follows (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
  followed_at INTEGER NOT NULL, PRIMARY KEY (user_id, athlete_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS follows_by_athlete ON follows(athlete_id);
`;

function openDatabase(path) {
  const db = new Database(path); // waits up to 5 s for the other worker's write lock
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

// ---- Helpers -----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    Object.assign(this, { status, code, fields });
  }
}
const notFound = (what) => new ApiError(404, 'not_found', `no such ${what}`);
const forbidden = () => new ApiError(403, 'forbidden', 'not allowed for this user');
const conflict = (message) => new ApiError(409, 'conflict', message);
const invalid = (fields) =>
  new ApiError(422, 'validation_failed', 'the request has invalid fields', fields);

// RFC 3339 UTC with microseconds, like Track Tracker's timestamps.
function timestamp(ms = Date.now()) {
  return new Date(ms).toISOString().replace('Z', '000Z');
}
// The stamps of a resource just created at `now`.
const created = (now) => ({ created_at: now, updated_at: now, version: 1 });

const scrypt = promisify(crypto.scrypt);
// scrypt at 64 MiB (N = 2^16, r = 8), the memory Track Tracker's Argon2id uses.
const SCRYPT = { N: 65536, r: 8, p: 1, maxmem: 128 * 1024 * 1024 };

async function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function verifyPassword(password, stored) {
  const [, N, r, p, salt, key] = stored.split('$');
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length,
    { N: Number(N), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return crypto.timingSafeEqual(actual, expected);
}
// Verified against for unknown usernames, so that they take as long as a wrong password.
let dummyHash;

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');
const encodeCursor = (parts) => Buffer.from(JSON.stringify(parts)).toString('base64url');
function decodeCursor(cursor) {
  if (cursor === undefined) return ['', ''];
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(parts) && parts.length === 2 && parts.every((p) => typeof p === 'string')) {
      return parts;
    }
  } catch { /* not a cursor */ }
  throw invalid({ cursor: 'is not a cursor of this list' });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const today = () => new Date().toISOString().slice(0, 10);

// ---- JSON schemas (validation and serialisation) ----------------------------------------------

const S = { type: 'string' };
const NS = { type: ['string', 'null'] };
const str = (minLength, maxLength, type = 'string') => ({ type, minLength, maxLength });
const object = (properties, required) => ({ type: 'object', properties, ...(required && { required }) });
const array = (items, maxItems) => ({ type: 'array', items, ...(maxItems && { maxItems }) });
const dateSchema = { type: 'string', format: 'date' };
const limitSchema = { type: 'integer', minimum: 1, maximum: 200, default: 50 };
const stamps = { created_at: S, updated_at: S, version: { type: 'integer' } };

const competitionSchema = object({
  id: S, name: S, location: S, start_date: S, end_date: S, description: NS, url: NS, created_by: NS,
  ...stamps,
});
const userSchema = object({
  id: S, username: S, display_name: S, email: NS,
  is_athlete: { type: 'boolean' }, is_admin: { type: 'boolean' }, ...stamps,
});
const athleteSchema = object({
  id: S, username: S, first_name: S, last_name: S, bio: NS, birthday: NS, team: NS, country: NS,
  disciplines: array(S), follower_count: { type: 'integer' }, ...stamps,
});
const eventSchema = object({
  id: S, athlete_id: S, competition_id: S, name: S, date_time: S, notes: NS, ...stamps,
});
const feedPageSchema = object({
  items: array(object({
    competition: competitionSchema,
    athletes: array(object({
      id: S, first_name: S, last_name: S, events: array(object({ id: S, name: S, date_time: S })),
    })),
  })),
  next_cursor: NS,
});

// ---- The worker --------------------------------------------------------------------------------

function startWorker() {
  const Fastify = require('fastify');
  const db = openDatabase(options.db);
  const COMPETITION = `id, name, location, start_date, end_date, description, url, created_by,
                       created_at, updated_at, version`;
  const sql = {
    session: db.prepare(`SELECT u.id, u.is_admin FROM sessions s JOIN users u ON u.id = s.user_id
                         WHERE s.token_hash = ? AND s.expires_at > ?`),
    insertUser: db.prepare(`INSERT INTO users (id, username, username_key, display_name, email,
                            password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    userForSignIn: db.prepare(`SELECT u.*, EXISTS (SELECT 1 FROM athletes a WHERE a.id = u.id) AS is_athlete
                               FROM users u WHERE u.username_key = ?`),
    failures: db.prepare('SELECT count(*) AS n FROM sign_in_failures WHERE username_key = ? AND at > ?'),
    insertFailure: db.prepare('INSERT INTO sign_in_failures (username_key, at) VALUES (?, ?)'),
    insertSession: db.prepare('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)'),
    insertCompetition: db.prepare(`INSERT INTO competitions (id, name, location, start_date, end_date,
                                   description, url, created_by, created_at, updated_at)
                                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    competition: db.prepare(`SELECT ${COMPETITION} FROM competitions WHERE id = ?`),
    competitionsByIds: db.prepare(`SELECT ${COMPETITION} FROM competitions
                                   WHERE id IN (SELECT value FROM json_each(?))`),
    listCompetitions: db.prepare(`SELECT ${COMPETITION} FROM competitions
                                  WHERE end_date >= @from AND start_date <= @to
                                    AND (start_date, id) > (@afterStart, @afterId)
                                  ORDER BY start_date, id LIMIT @limit`),
    searchCompetitions: db.prepare(`SELECT ${COMPETITION} FROM competitions
                                    WHERE end_date >= @from AND start_date <= @to
                                      AND (start_date, id) > (@afterStart, @afterId)
                                      AND (instr(lower(name), @q) > 0 OR instr(lower(location), @q) > 0)
                                    ORDER BY start_date, id LIMIT @limit`),
    insertAthlete: db.prepare(`INSERT INTO athletes (id, first_name, last_name, bio, birthday, team,
                               country, disciplines, created_at, updated_at)
                               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    username: db.prepare('SELECT username FROM users WHERE id = ?'),
    athleteExists: db.prepare('SELECT 1 FROM athletes WHERE id = ?'),
    insertEvent: db.prepare(`INSERT INTO events (id, athlete_id, competition_id, name, date_time, instant,
                             notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    follow: db.prepare('INSERT OR IGNORE INTO follows (user_id, athlete_id, followed_at) VALUES (?, ?, ?)'),
    userExists: db.prepare('SELECT 1 FROM users WHERE id = ?'),
    feedCompetitions: db.prepare(`SELECT ${COMPETITION} FROM competitions c
                                  WHERE c.end_date >= @from AND (c.start_date, c.id) > (@afterStart, @afterId)
                                    AND EXISTS (SELECT 1 FROM events e JOIN follows f
                                                ON f.user_id = @user AND f.athlete_id = e.athlete_id
                                                WHERE e.competition_id = c.id)
                                  ORDER BY c.start_date, c.id LIMIT @limit`),
    feedEvents: db.prepare(`SELECT e.competition_id, e.id, e.name, e.date_time,
                                   a.id AS athlete_id, a.first_name, a.last_name
                            FROM events e JOIN athletes a ON a.id = e.athlete_id
                            WHERE e.competition_id IN (SELECT value FROM json_each(@ids))
                              AND EXISTS (SELECT 1 FROM follows f
                                          WHERE f.user_id = @user AND f.athlete_id = e.athlete_id)
                            ORDER BY e.instant, e.id`),
  };

  function authenticate(request) {
    const match = /^(?:Bearer|Token) +(\S+)$/i.exec(request.headers.authorization || '');
    const user = match && sql.session.get(sha256(match[1]), Date.now());
    if (!user) throw new ApiError(401, 'unauthenticated', 'a valid token is required');
    return user;
  }

  // A page of `limit` from `rows` (fetched with limit + 1) and the cursor after its last item.
  function page(rows, limit, key) {
    const items = rows.slice(0, limit);
    return { items, next_cursor: rows.length > limit ? encodeCursor(key(items[items.length - 1])) : null };
  }

  const app = Fastify();

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiError) {
      if (error.status === 401) reply.header('www-authenticate', 'Bearer');
      const body = { code: error.code, message: error.message };
      if (error.fields) body.fields = error.fields;
      return reply.code(error.status).send({ error: body });
    }
    if (error.validation) {
      const fields = {};
      for (const v of error.validation) {
        const name = v.params.missingProperty ||
          v.instancePath.slice(1).replace(/\/(\d+)/g, '[$1]') || 'body';
        fields[name] = v.params.missingProperty ? 'is required' : v.message;
      }
      error = invalid(fields);
      return reply.code(422).send({ error: { code: error.code, message: error.message, fields } });
    }
    const status = error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const code = { 400: 'bad_request', 413: 'payload_too_large', 415: 'unsupported_media_type' }[status];
    if (status === 500) console.error(error);
    const message = status === 500 ? 'internal error' : error.message;
    return reply.code(status).send({ error: { code: code || 'internal', message } });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: 'no such route' } }));

  // ---- Users and sessions ----------------------------------------------------------------------

  app.post('/users', {
    schema: {
      body: object({
        username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,32}$' },
        password: str(8, 256), display_name: str(1, 100),
        email: { type: ['string', 'null'], format: 'email', maxLength: 254 },
      }, ['username', 'password']),
      response: { 201: userSchema },
    },
  }, async (request, reply) => {
    const { username, password, display_name = username, email = null } = request.body;
    const passwordHash = await hashPassword(password);
    const id = crypto.randomUUID();
    const now = timestamp();
    try {
      sql.insertUser.run(id, username, username.toLowerCase(), display_name, email, passwordHash, now, now);
    } catch (error) {
      if (error.code === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict('the username is taken');
      throw error;
    }
    reply.code(201).header('location', `/users/${id}`).header('etag', '"1"');
    return { id, username, display_name, email, is_athlete: false, is_admin: false, ...created(now) };
  });

  app.post('/sessions', {
    schema: {
      body: object({ username: S, password: S }, ['username', 'password']),
      response: { 201: object({ token: S, expires_at: S, user: userSchema }) },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const key = username.toLowerCase();
    const window = 15 * 60 * 1000;
    if (sql.failures.get(key, Date.now() - window).n >= 10) {
      reply.header('retry-after', String(window / 1000));
      throw new ApiError(429, 'rate_limited', 'too many failed sign-ins; try again later');
    }
    const user = sql.userForSignIn.get(key);
    dummyHash ??= hashPassword('nobody');
    const ok = await verifyPassword(password, user ? user.password_hash : await dummyHash);
    if (!user || !ok) {
      sql.insertFailure.run(key, Date.now());
      throw new ApiError(401, 'unauthenticated', 'wrong username or password');
    }
    const token = crypto.randomBytes(32).toString('base64url');
    const expires = Date.now() + 30 * 24 * 3600 * 1000;
    sql.insertSession.run(sha256(token), user.id, expires);
    reply.code(201).header('location', '/sessions/current');
    return {
      token,
      expires_at: timestamp(expires),
      user: { ...user, is_athlete: user.is_athlete === 1, is_admin: user.is_admin === 1 },
    };
  });

  // ---- Competitions ----------------------------------------------------------------------------

  app.post('/competitions', {
    schema: {
      body: object({
        name: str(1, 200), location: str(1, 200), start_date: dateSchema, end_date: dateSchema,
        description: str(0, 5000, NS.type),
        url: { ...str(0, 2048, NS.type), pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+' },
      }, ['name', 'location', 'start_date', 'end_date']),
      response: { 201: competitionSchema },
    },
  }, async (request, reply) => {
    const user = authenticate(request);
    const { name, location, start_date, end_date, description = null, url = null } = request.body;
    if (end_date < start_date) throw invalid({ end_date: 'must not be before start_date' });
    const id = crypto.randomUUID();
    const now = timestamp();
    sql.insertCompetition.run(id, name, location, start_date, end_date, description, url, user.id, now, now);
    reply.code(201).header('location', `/competitions/${id}`).header('etag', '"1"');
    return {
      id, name, location, start_date, end_date, description, url, created_by: user.id, ...created(now),
    };
  });

  const getCompetition = { schema: { response: { 200: competitionSchema } } };
  app.get('/competitions/:id', getCompetition, async (request, reply) => {
    const competition = sql.competition.get(request.params.id);
    if (!competition) throw notFound('competition');
    const etag = `"${competition.version}"`;
    reply.header('etag', etag);
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch && (ifNoneMatch.trim() === '*' ||
        ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))) {
      return reply.code(304).send();
    }
    return competition;
  });

  app.get('/competitions', {
    schema: {
      querystring: object({
        ids: S, from: dateSchema, to: dateSchema, q: str(0, 200), limit: limitSchema, cursor: S,
      }),
      // A list page ({items, next_cursor}), or with ids a batch ({items, missing}).
      response: { 200: object({ items: array(competitionSchema), next_cursor: NS, missing: array(S) }) },
    },
  }, async (request) => {
    const { ids, from = '0000-01-01', to = '9999-12-31', q, limit, cursor } = request.query;
    if (ids !== undefined) {
      const wanted = [...new Set(ids.split(','))];
      if (ids === '' || wanted.length > 100) throw invalid({ ids: 'must list 1 to 100 ids' });
      const found = new Map(sql.competitionsByIds.all(JSON.stringify(wanted.filter((id) => UUID.test(id))))
        .map((c) => [c.id, c]));
      return {
        items: wanted.filter((id) => found.has(id)).map((id) => found.get(id)),
        missing: wanted.filter((id) => !found.has(id)),
      };
    }
    if (to < from) throw invalid({ to: 'must not be before from' });
    const [afterStart, afterId] = decodeCursor(cursor);
    const params = { from, to, afterStart, afterId, limit: limit + 1 };
    const rows = q ? sql.searchCompetitions.all({ ...params, q: q.toLowerCase() })
      : sql.listCompetitions.all(params);
    return page(rows, limit, (c) => [c.start_date, c.id]);
  });

  // ---- Athletes, events and following ----------------------------------------------------------

  app.post('/athletes', {
    schema: {
      body: object({
        first_name: str(1, 100), last_name: str(1, 100), bio: str(0, 2000, NS.type),
        birthday: { ...dateSchema, type: NS.type }, team: str(1, 200, NS.type),
        country: { type: NS.type, pattern: '^[A-Z]{3}$' }, disciplines: array(str(1, 50), 20),
      }, ['first_name', 'last_name']),
      response: { 201: athleteSchema },
    },
  }, async (request, reply) => {
    const user = authenticate(request);
    const { first_name, last_name, bio = null, birthday = null, team = null, country = null,
      disciplines = [] } = request.body;
    const now = timestamp();
    try {
      sql.insertAthlete.run(user.id, first_name, last_name, bio, birthday, team, country,
        JSON.stringify(disciplines), now, now);
    } catch (error) {
      if (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw conflict('the user already is an athlete');
      throw error;
    }
    reply.code(201).header('location', `/athletes/${user.id}`).header('etag', '"1"');
    const { username } = sql.username.get(user.id);
    return {
      id: user.id, username, first_name, last_name, bio, birthday, team, country, disciplines,
      follower_count: 0, ...created(now),
    };
  });

  app.post('/athletes/:id/events', {
    schema: {
      body: object({ competition_id: S, name: str(1, 200), date_time: S, notes: str(0, 2000, NS.type) },
        ['competition_id', 'name', 'date_time']),
      response: { 201: eventSchema },
    },
  }, async (request, reply) => {
    const user = authenticate(request);
    const athleteId = request.params.id;
    if (user.id !== athleteId && !user.is_admin) throw forbidden();
    if (!sql.athleteExists.get(athleteId)) throw notFound('athlete');
    const { competition_id, name, notes = null } = request.body;
    const dateTime = request.body.date_time.replace(/^(.{10})t/, '$1T').replace(/z$/, 'Z');
    const match = DATE_TIME.exec(dateTime);
    const instant = match ? Date.parse(dateTime) : NaN;
    if (Number.isNaN(instant)) throw invalid({ date_time: 'must be an RFC 3339 date-time with an offset' });
    const competition = UUID.test(competition_id) && sql.competition.get(competition_id);
    if (!competition) throw invalid({ competition_id: 'no such competition' });
    const day = match[1];
    if (day < competition.start_date || day > competition.end_date) {
      const dates = `${competition.start_date}..${competition.end_date}`;
      throw invalid({ date_time: `must fall within the competition's dates (${dates}) in its own offset` });
    }
    const id = crypto.randomUUID();
    const now = timestamp();
    sql.insertEvent.run(id, athleteId, competition_id, name, dateTime, instant, notes, now, now);
    reply.code(201).header('location', `/events/${id}`).header('etag', '"1"');
    return { id, athlete_id: athleteId, competition_id, name, date_time: dateTime, notes, ...created(now) };
  });

  app.put('/users/:id/following/:athlete_id', async (request, reply) => {
    const user = authenticate(request);
    const { id, athlete_id: athleteId } = request.params;
    if (user.id !== id) throw forbidden();
    if (athleteId === id) throw invalid({ athlete_id: 'a user cannot follow itself' });
    if (!sql.athleteExists.get(athleteId)) throw notFound('athlete');
    sql.follow.run(id, athleteId, Date.now());
    return reply.code(204).send();
  });

  // Upcoming competitions (end_date >= from, today by default) at which the user's followed
  // athletes have events, by (start_date, id), each with those athletes and their events there.
  app.get('/users/:id/feed', {
    schema: {
      querystring: object({ from: dateSchema, limit: limitSchema, cursor: S }),
      response: { 200: feedPageSchema },
    },
  }, async (request) => {
    const user = authenticate(request);
    const userId = request.params.id;
    if (user.id !== userId && !user.is_admin) throw forbidden();
    if (user.id !== userId && !sql.userExists.get(userId)) throw notFound('user');
    const { from = today(), limit, cursor } = request.query;
    const [afterStart, afterId] = decodeCursor(cursor);
    const rows = sql.feedCompetitions.all({ user: userId, from, afterStart, afterId, limit: limit + 1 });
    const result = page(rows, limit, (c) => [c.start_date, c.id]);
    if (result.items.length === 0) return result;
    const entries = new Map(result.items.map((c) => [c.id, { competition: c, athletes: new Map() }]));
    for (const row of sql.feedEvents.all({ user: userId, ids: JSON.stringify([...entries.keys()]) })) {
      const athletes = entries.get(row.competition_id).athletes;
      let athlete = athletes.get(row.athlete_id);
      if (!athlete) {
        athlete = { id: row.athlete_id, first_name: row.first_name, last_name: row.last_name, events: [] };
        athletes.set(row.athlete_id, athlete);
      }
      athlete.events.push({ id: row.id, name: row.name, date_time: row.date_time });
    }
    const keys = (a) => [a.last_name.toLowerCase(), a.first_name.toLowerCase(), a.id];
    const byName = (a, b) => {
      const [x, y] = [keys(a), keys(b)];
      const i = x.findIndex((value, index) => value !== y[index]);
      return i < 0 ? 0 : x[i] < y[i] ? -1 : 1;
    };
    return {
      items: [...entries.values()].map(({ competition, athletes }) =>
        ({ competition, athletes: [...athletes.values()].sort(byName) })),
      next_cursor: result.next_cursor,
    };
  });

  process.on('message', async (message) => {
    if (message !== 'shutdown') return;
    await app.close();
    db.close();
    process.exit(0);
  });
  process.on('SIGINT', () => {}); // Ctrl-C reaches the whole group: the primary stops us.
  process.on('SIGTERM', () => {});

  app.listen({ host, port }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

// ---- The primary -------------------------------------------------------------------------------

function startPrimary() {
  openDatabase(options.db).exec(SCHEMA).close();
  let listening = 0;
  let stopping = false;
  cluster.on('listening', (_worker, address) => {
    if (++listening === workerCount) {
      console.log(`peer listening on http://${address.address}:${address.port}`);
    }
  });
  let exited = 0;
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`worker ${worker.process.pid} died (${signal || code}); stopping`);
      process.exit(1);
    }
    if (++exited === workerCount) process.exit(0);
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.send('shutdown');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < workerCount; i++) cluster.fork();
}

if (cluster.isPrimary) startPrimary();
else startWorker();
