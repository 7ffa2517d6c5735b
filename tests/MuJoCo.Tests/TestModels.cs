namespace Mlsh.MuJoCo.Tests;

/// <summary>Small MJCF models written for the tests.</summary>
internal static class TestModels
{
    /// <summary>A hinge pendulum driven by a motor, with joint sensors, a site and a "tilted" keyframe.</summary>
    public const string Pendulum = """
        <mujoco model="pendulum">
          <compiler angle="radian"/>
          <option timestep="0.002"/>
          <worldbody>
            <body name="pole" pos="0 0 1">
              <joint name="hinge" type="hinge" axis="0 1 0" range="-3 3" limited="true" damping="0.01"/>
              <geom name="pole_geom" type="capsule" fromto="0 0 0 0 0 -0.5" size="0.05" mass="1"/>
              <site name="tip" pos="0 0 -0.5"/>
            </body>
          </worldbody>
          <actuator>
            <motor name="torque" joint="hinge" gear="1" ctrlrange="-2 2" ctrllimited="true"/>
          </actuator>
          <sensor>
            <jointpos name="hinge_pos" joint="hinge"/>
            <jointvel name="hinge_vel" joint="hinge"/>
            <framepos name="tip_pos" objtype="site" objname="tip"/>
          </sensor>
          <keyframe>
            <key name="tilted" qpos="0.5"/>
          </keyframe>
        </mujoco>
        """;

    /// <summary>A box on a free joint above a floor, with a velocity motor on an extra slider.</summary>
    public const string FreeBody = """
        <mujoco model="freebody">
          <compiler angle="radian"/>
          <option timestep="0.005"/>
          <worldbody>
            <geom name="floor" type="plane" size="5 5 0.1"/>
            <body name="box" pos="0 0 1">
              <freejoint name="root"/>
              <geom name="box_geom" type="box" size="0.1 0.1 0.1" mass="1"/>
              <site name="imu"/>
              <body name="arm" pos="0.2 0 0">
                <joint name="slider" type="slide" axis="1 0 0" range="-0.1 0.1" limited="true"/>
                <geom name="arm_geom" type="sphere" size="0.05" mass="0.1"/>
              </body>
            </body>
          </worldbody>
          <actuator>
            <motor name="push" joint="slider" gear="1" ctrlrange="-1 1" ctrllimited="true"/>
          </actuator>
          <sensor>
            <accelerometer name="acc" site="imu"/>
          </sensor>
        </mujoco>
        """;
}
