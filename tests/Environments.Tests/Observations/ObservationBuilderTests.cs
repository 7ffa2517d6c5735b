using Mlsh.Environments.Observations;

namespace Mlsh.Environments.Tests.Observations;

public class ObservationBuilderTests
{
    [Fact]
    public void Layout_ForTheQuadruped_Has37ContiguousFloats()
    {
        var layout = new ObservationLayout(observedJoints: 8, actionSize: 8);
        layout.Size.Should().Be(2 + 2 + 3 + 3 + 3 + 8 + 8 + 8);
        var offset = 0;
        foreach (var s in layout.Segments)
        {
            s.Offset.Should().Be(offset);
            offset += s.Size;
        }
        offset.Should().Be(layout.Size);
    }

    [Fact]
    public void Layout_ForThePointMass_HasNoJointSegmentsButKeepsTheirNames()
    {
        var layout = new ObservationLayout(observedJoints: 0, actionSize: 2);
        layout.Size.Should().Be(15);
        layout[ObservationLayout.JointPositionOffset].Size.Should().Be(0);
    }

    [Fact]
    public void Layout_UnknownSegmentName_Throws()
    {
        var act = () => new ObservationLayout(2, 2)["gps"];
        act.Should().Throw<KeyNotFoundException>().Which.Message.Should().Contain("base_position_xy");
    }

    [Fact]
    public void Build_WritesEverySegmentAtItsOffset()
    {
        var layout = new ObservationLayout(2, 2);
        var builder = new ObservationBuilder(layout, [0.1, 1.0]);
        var yaw = Math.PI / 2;
        var state = new RobotState
        {
            BasePosition = new double[] { 1.5, -2.0, 0.3 },
            BaseOrientation = new double[] { Math.Cos(yaw / 2), 0, 0, Math.Sin(yaw / 2) },
            BaseLinearVelocity = new double[] { 0.4, 0.1, 0.0 },
            BaseAngularVelocity = new double[] { 0.0, 0.0, 0.7 },
            LinearAcceleration = new double[] { 0.0, 0.0, 9.81 },
            JointPositions = new double[] { 0.3, 0.5 },
            JointVelocities = new double[] { -1.0, 2.0 },
            PreviousAction = new float[] { 0.25f, -1f },
        };
        var obs = new float[layout.Size];
        builder.Build(state, obs);

        float[] Seg(string n) => obs.AsSpan(layout[n].Offset, layout[n].Size).ToArray();
        Seg(ObservationLayout.BasePositionXy).Should().Equal(1.5f, -2.0f);
        Seg(ObservationLayout.BaseYawCosSin)[0].Should().BeApproximately(0f, 1e-6f);
        Seg(ObservationLayout.BaseYawCosSin)[1].Should().BeApproximately(1f, 1e-6f);
        Seg(ObservationLayout.BaseLinearVelocity).Should().Equal(0.4f, 0.1f, 0f);
        Seg(ObservationLayout.BaseAngularVelocity).Should().Equal(0f, 0f, 0.7f);
        Seg(ObservationLayout.ProjectedGravity)[2].Should().BeApproximately(-1f, 1e-6f);
        Seg(ObservationLayout.JointPositionOffset)[0].Should().BeApproximately(0.2f, 1e-6f);
        Seg(ObservationLayout.JointPositionOffset)[1].Should().BeApproximately(-0.5f, 1e-6f);
        Seg(ObservationLayout.JointVelocity).Should().Equal(-1f, 2f);
        Seg(ObservationLayout.PreviousAction).Should().Equal(0.25f, -1f);
    }

    [Fact]
    public void Build_RejectsAStateWithTheWrongJointCount()
    {
        var layout = new ObservationLayout(2, 2);
        var builder = new ObservationBuilder(layout, [0.0, 0.0]);
        var act = () =>
        {
            var state = new RobotState
            {
                BasePosition = new double[3], BaseOrientation = new double[] { 1, 0, 0, 0 },
                BaseLinearVelocity = new double[3], BaseAngularVelocity = new double[3],
                JointPositions = new double[3], JointVelocities = new double[2], PreviousAction = new float[2],
            };
            builder.Build(state, new float[layout.Size]);
        };
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("JointPositions has 3 elements").And.Contain("needs 2");
    }

    [Fact]
    public void Build_AllocatesNothing()
    {
        var layout = new ObservationLayout(8, 8);
        var builder = new ObservationBuilder(layout, new double[8]);
        var pos = new double[3]; var quat = new double[] { 1, 0, 0, 0 }; var v = new double[3]; var w = new double[3];
        var q = new double[8]; var qd = new double[8]; var prev = new float[8]; var obs = new float[layout.Size];
        void Run()
        {
            var s = new RobotState { BasePosition = pos, BaseOrientation = quat, BaseLinearVelocity = v, BaseAngularVelocity = w, JointPositions = q, JointVelocities = qd, PreviousAction = prev };
            builder.Build(s, obs);
        }
        for (var i = 0; i < 100; i++) Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) Run();
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
