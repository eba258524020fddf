#include <thread>
#include <util/clock.hpp>

namespace kms::util {

namespace {

class RealClock : public Clock
{
  public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
    void sleep_for(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

} // namespace

Clock& real_clock()
{
    static RealClock clock;
    return clock;
}

} // namespace kms::util
