"""Seed 004's README examples, run against litekv through its library (reusables.redis on
redis-py); only the address (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD) is litekv's. Exits
non-zero on the first mismatch."""

from checks import expect, passed
from reusables.redis import (
    RedisClient,
    cache_get,
    cache_set,
    decrement,
    delete_key,
    delete_many,
    exists,
    find_keys,
    get_many,
    get_redis_client,
    get_ttl,
    get_value,
    hash_get,
    hash_get_all,
    hash_set,
    increment,
    invalidate_pattern,
    make_key,
    purge_cache,
    set_many,
    set_value,
)



get_redis_client().flushdb()

# Quick Start
cache_set('user:123', {'name': 'Noah', 'age': 21}, ttl=3600)
user = cache_get('user:123')
expect("quick start", user, {'name': 'Noah', 'age': 21})
r = get_redis_client()
expect("ping", r.ping(), True)

# CRUD Operations
set_value('username', 'noah')
set_value('user:123', {'name': 'Noah', 'age': 21}, ttl=3600)
expect("get_value", get_value('user:123'), {'name': 'Noah', 'age': 21})
expect("get_value string", get_value('username'), 'noah')
expect("get_value default", get_value('missing_key', default='Unknown'), 'Unknown')
expect("exists", exists('user:123'), True)
expect("ttl", 3595 <= get_ttl('user:123') <= 3600, True)
expect("ttl -1: no expiration", get_ttl('username'), -1)
expect("ttl -2: doesn't exist", get_ttl('session:abc'), -2)
expect("delete_key", delete_key('user:123'), 1)
expect("delete_key again", delete_key('user:123'), 0)
expect("exists after delete", exists('user:123'), False)

# Bulk Operations
expect("set_many", set_many({
    'user:1': {'name': 'Noah'},
    'user:2': {'name': 'Alice'},
    'user:3': {'name': 'Bob'}
}, ttl=3600), True)
users = get_many(['user:1', 'user:2', 'user:3', 'user:4'])
expect("get_many leaves out missing keys", users, {
    'user:1': {'name': 'Noah'}, 'user:2': {'name': 'Alice'}, 'user:3': {'name': 'Bob'}})
expect("delete_many", delete_many(['user:1', 'user:2', 'user:3']), 3)

# Cache Helpers
cache_set('user:123:profile', {'bio': 'hi'})
expect("cache_set default ttl", 3595 <= get_ttl('user:123:profile') <= 3600, True)
cache_set('user:123:session', {'token': 't'}, ttl=1800)
expect("cache_set ttl", 1795 <= get_ttl('user:123:session') <= 1800, True)
expect("cache_get miss", cache_get('user:999:profile'), None)

# Pattern Matching & Invalidation
for key in ['cache:user:1', 'cache:user:2', 'cache:user:123:a', 'cache:user:123:b', 'session:user:123:x']:
    set_value(key, 1)
expect("find_keys", sorted(find_keys('cache:user:*')), ['cache:user:1', 'cache:user:123:a', 'cache:user:123:b', 'cache:user:2'])
expect("find_keys ?", sorted(find_keys('cache:user:?')), ['cache:user:1', 'cache:user:2'])
expect("find_keys [abc]", sorted(find_keys('cache:user:123:[ab]')), ['cache:user:123:a', 'cache:user:123:b'])
expect("find_keys limit", len(find_keys('cache:*', limit=2)), 2)
expect("invalidate_pattern", invalidate_pattern('cache:user:123:*'), 2)
expect("invalidate_pattern sessions", invalidate_pattern('session:*'), 1)
set_value(make_key('firstapi', 'cache', 'user', '1'), 1)
set_value(make_key('auth', 'cache', 'token'), 1)
expect("purge_cache service", purge_cache('firstapi'), 1)
expect("purge_cache all", purge_cache(), 1)

# Counters
expect("increment", increment('page:home:views'), 1)
expect("increment amount", increment('api:requests', amount=10), 10)
expect("decrement", decrement('tokens:user:123'), -1)

# Hash Operations
expect("hash_set new", hash_set('user:123', 'name', 'Noah'), 1)
expect("hash_set age", hash_set('user:123', 'age', 21), 1)
expect("hash_set settings", hash_set('user:123', 'settings', {'theme': 'dark'}), 1)
expect("hash_set update", hash_set('user:123', 'name', 'Noah S'), 0)
expect("hash_get", hash_get('user:123', 'age'), 21)
expect("hash_get_all", hash_get_all('user:123'), {'name': 'Noah S', 'age': 21, 'settings': {'theme': 'dark'}})

# Key Naming
expect("make_key", make_key('firstapi', 'cache', 'user', '123'), 'firstapi:cache:user:123')
expect("make_key session", make_key('auth', 'session', 'abc123'), 'auth:session:abc123')


# Usage Examples: Rate Limiting, as the README writes it.
class RateLimitError(Exception):
    pass


def check_rate_limit(user_id, limit=100):
    key = f'ratelimit:user:{user_id}'
    count = increment(key)

    # Set expiration on first request
    if count == 1:
        set_value(key, count, ttl=3600)  # 1 hour window

    if count > limit:
        ttl = get_ttl(key)
        raise RateLimitError(f'Try again in {ttl} seconds')

    return count


expect("rate limit", [check_rate_limit('7', limit=3) for _ in range(3)], [1, 2, 3])
try:
    check_rate_limit('7', limit=3)
    raise AssertionError("the fourth request passed")
except RateLimitError as error:
    expect("rate limit message", str(error).startswith('Try again in 3'), True)


# Page View Counter
def record_page_view(page_slug):
    return increment(f'views:page:{page_slug}')


def get_page_views(page_slug):
    return get_value(f'views:page:{page_slug}', default=0)


expect("page views", [record_page_view('home') for _ in range(3)], [1, 2, 3])
expect("get page views", get_page_views('home'), 3)
expect("get page views none", get_page_views('about'), 0)


# Structured Data with Hashes
def update_user_profile(user_id, **fields):
    key = f'user:{user_id}:profile'
    for field, value in fields.items():
        hash_set(key, field, value)


update_user_profile('456', name='Noah', age=21, city='Oslo')
expect("profile", hash_get_all('user:456:profile'), {'name': 'Noah', 'age': 21, 'city': 'Oslo'})

# Testing: reset the singleton
RedisClient.reset()
expect("after reset", get_redis_client().ping(), True)

passed("reusables.redis")
