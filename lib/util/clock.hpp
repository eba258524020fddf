#pragma once

#include <chrono>

namespace kms::util {

// Wall time and sleeping, behind a seam so waits, expiry and backoff are testable without sleeping.
class Clock
{
  public:
    using TimePoint = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
    virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

Clock& real_clock();

// A clock that only moves when told to (sleep_for advances it instantly).
class FakeClock : public Clock
{
  public:
    TimePoint current{ std::chrono::seconds(1'700'000'000) };
    std::chrono::milliseconds slept{ 0 };

    TimePoint now() const override { return current; }
    void sleep_for(std::chrono::milliseconds d) override
    {
        current += d;
        slept += d;
    }
};

} // namespace kms::util
