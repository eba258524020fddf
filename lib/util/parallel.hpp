#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace kms::util {

// Runs fn(0) … fn(n-1) on up to `max_threads` threads and waits for all of them. Requests to an
// API server are I/O-bound, so threads beyond the core count still help. The first exception
// (by index) is rethrown after every call has finished.
inline void parallel_for(std::size_t n, const std::function<void(std::size_t)>& fn, std::size_t max_threads = 16)
{
    if (n == 0) {
        return;
    }
    if (n == 1) {
        fn(0);
        return;
    }
    std::vector<std::exception_ptr> errors(n);
    std::atomic<std::size_t> next{ 0 };
    auto worker = [&] {
        for (std::size_t i = next++; i < n; i = next++) {
            try {
                fn(i);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> threads;
    std::size_t count = std::min(n, max_threads);
    for (std::size_t t = 1; t < count; ++t) {
        threads.emplace_back(worker);
    }
    worker();
    for (auto& t : threads) {
        t.join();
    }
    for (auto& e : errors) {
        if (e) {
            std::rethrow_exception(e);
        }
    }
}

} // namespace kms::util
